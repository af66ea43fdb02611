import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { en, type MessageKey, type Messages } from './en';
import { zhCN } from './zh-CN';

// The language switch: every string the portal shows comes from a typed catalogue per
// language; the compiler checks that each catalogue has every key of the English one.

export const languages = {
  en: { label: 'English', messages: en },
  'zh-CN': { label: '简体中文', messages: zhCN },
} as const;
export type Language = keyof typeof languages;
export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;
/** A key with `.one` and `.other` forms ("robots.permissionCount" for "robots.permissionCount.one" and ".other"). */
export type PluralKey = { [K in MessageKey]: K extends `${infer Base}.other` ? Base : never }[MessageKey];
export type TranslatePlural = (key: PluralKey, count: number, params?: Record<string, string | number>) => string;

const storageKey = 'berth.language';

export function isLanguage(value: string | null | undefined): value is Language {
  return value === 'en' || value === 'zh-CN';
}

/** Fills {name} placeholders. */
export function format(template: string, params: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}

/** A value the server sends ("delete", "artifact") in the user's language when the catalogue has it, else as sent. */
export function known(t: Translate, prefix: string, value: string | undefined): string {
  const key = `${prefix}${value ?? ''}`;
  return isMessageKey(key) ? t(key) : (value ?? '');
}

export function translator(messages: Messages): Translate {
  return (key, params) => format(messages[key], params);
}

function initialLanguage(): Language {
  const saved = typeof localStorage === 'undefined' ? null : localStorage.getItem(storageKey);
  if (isLanguage(saved)) return saved;
  return typeof navigator !== 'undefined' && navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

/** "1 permission", "2 permissions": the form the language's plural rules choose for `count`, given as {count}. */
export function pluralizer(language: Language, messages: Messages): TranslatePlural {
  const rules = new Intl.PluralRules(language);
  return (key, count, params) => {
    const form = rules.select(count) === 'one' ? 'one' : 'other';
    const message = messages[`${key}.${form}` as MessageKey] ?? messages[`${key}.other` as MessageKey];
    return format(message, { count, ...params });
  };
}

interface I18n {
  language: Language;
  setLanguage(language: Language): void;
  t: Translate;
  plural: TranslatePlural;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children, language: fixed }: { children: ReactNode; language?: Language }) {
  const [language, setState] = useState<Language>(fixed ?? initialLanguage);
  const setLanguage = useCallback((next: Language) => {
    setState(next);
    localStorage.setItem(storageKey, next);
    document.documentElement.lang = next;
  }, []);
  const value = useMemo(
    () => ({
      language,
      setLanguage,
      t: translator(languages[language].messages),
      plural: pluralizer(language, languages[language].messages),
    }),
    [language, setLanguage],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}

export function useT(): Translate {
  return useI18n().t;
}
