import { MantineProvider } from '@mantine/core';
import { QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { MemoryRouter } from 'react-router';
import { createQueryClient } from '../App';
import { ApiClient } from '../api/client';
import { ApiProvider } from '../api/context';
import { I18nProvider, type Language } from '../i18n/context';

// Component tests render a page with the portal's providers around a fake API.

export function renderWith(
  client: ApiClient,
  ui: ReactNode,
  { language = 'en', path = '/' }: { language?: Language; path?: string } = {},
) {
  return render(
    <MantineProvider env="test">
      <QueryClientProvider client={createQueryClient()}>
        <ApiProvider client={client}>
          <I18nProvider language={language}>
            <MemoryRouter initialEntries={[path]}>{ui}</MemoryRouter>
          </I18nProvider>
        </ApiProvider>
      </QueryClientProvider>
    </MantineProvider>,
  );
}

export interface Call {
  method: string;
  url: URL;
  body: unknown;
}

/** An API whose answers come from `answer(call)`; every call is recorded. */
export function fakeApi(answer: (call: Call) => Response | undefined) {
  const calls: Call[] = [];
  const client = new ApiClient(async (url, init) => {
    const call = {
      method: init.method ?? 'GET',
      url: new URL(url, 'http://portal'),
      body: typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined,
    };
    calls.push(call);
    return (
      answer(call) ??
      new Response(
        JSON.stringify({ errors: [{ code: 'NOT_FOUND', message: `no fake for ${call.method} ${call.url.pathname}` }] }),
        { status: 404 },
      )
    );
  });
  return { client, calls };
}

export const json = (body: unknown, total?: number) =>
  new Response(JSON.stringify(body), { headers: total === undefined ? {} : { 'x-total-count': String(total) } });
