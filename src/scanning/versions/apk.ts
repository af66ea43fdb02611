// Alpine (apk) version ordering, as apk-tools 2's version.c defines it:
// digits{.digits}[letter]{_suffix[digits]}[-r digits]. The version is read as a stream of
// tokens, each with a kind and a value; the first token whose kind or value differs decides.
// A component after a '.' with leading zeros is worth minus their count and is followed by
// its remaining digits, so 1.05 < 1.5 and 1.00 < 1.0, as apk orders them. Pre-release
// suffixes (_alpha, _beta, _pre, _rc) sort below the bare version, the others (_cvs, _svn,
// _git, _hg, _p) above it; after such a zero component apk does not see the suffix as a
// pre-release (1.0_alpha > 1.0), and neither does this.

enum Token {
  Invalid = -1,
  DigitOrZero,
  Digit,
  Letter,
  Suffix,
  SuffixNumber,
  RevisionNumber,
  End,
}

const preSuffixes = ['alpha', 'beta', 'pre', 'rc'];
const postSuffixes = ['cvs', 'svn', 'git', 'hg', 'p'];

const isDigit = (c: string) => c >= '0' && c <= '9';
const isLower = (c: string) => c >= 'a' && c <= 'z';

/** Which token kinds may follow which, going back to a lower kind. */
function mayFollow(next: Token, previous: Token): boolean {
  return (
    next >= previous ||
    (next === Token.DigitOrZero && previous === Token.Digit) ||
    (next === Token.Suffix && previous === Token.SuffixNumber) ||
    (next === Token.Digit && previous === Token.Letter)
  );
}

class Reader {
  kind: Token = Token.Digit;
  private at = 0;

  constructor(private readonly text: string) {}

  private get rest(): number {
    return this.text.length - this.at;
  }

  /** The kind of the token after a separator (or directly after the previous token). */
  private advanceKind(): void {
    const c = this.text.charAt(this.at);
    let next = Token.Invalid;
    if (this.rest === 0) next = Token.End;
    else if ((this.kind === Token.Digit || this.kind === Token.DigitOrZero) && isLower(c)) next = Token.Letter;
    else if (this.kind === Token.Letter && isDigit(c)) next = Token.Digit;
    else if (this.kind === Token.Suffix && isDigit(c)) next = Token.SuffixNumber;
    else {
      if (c === '.') next = Token.DigitOrZero;
      else if (c === '_') next = Token.Suffix;
      else if (c === '-' && this.text.charAt(this.at + 1) === 'r') {
        next = Token.RevisionNumber;
        this.at++;
      }
      this.at++;
    }
    this.kind = mayFollow(next, this.kind) ? next : Token.Invalid;
  }

  /** The value of the token of kind `this.kind` at the cursor; moves past it. */
  read(): number {
    if (this.rest <= 0) {
      this.kind = Token.End;
      return 0;
    }
    let value = 0;
    let length = 0;
    let then: Token | undefined;
    switch (this.kind) {
      case Token.DigitOrZero:
      case Token.Digit:
        // Leading zeros after a '.' are a token of their own, worth minus their count.
        if (this.kind === Token.DigitOrZero && this.text[this.at] === '0') {
          while (this.text[this.at + length] === '0') length++;
          value = -length;
          then = Token.Digit;
          break;
        }
        while (length < this.rest && isDigit(this.text[this.at + length]!)) {
          value = value * 10 + Number(this.text[this.at + length]);
          length++;
        }
        break;
      case Token.SuffixNumber:
      case Token.RevisionNumber:
        while (length < this.rest && isDigit(this.text[this.at + length]!)) {
          value = value * 10 + Number(this.text[this.at + length]);
          length++;
        }
        break;
      case Token.Letter:
        value = this.text.charCodeAt(this.at);
        length = 1;
        break;
      case Token.Suffix: {
        const tail = this.text.slice(this.at);
        const pre = preSuffixes.findIndex((s) => tail.startsWith(s));
        const post = pre >= 0 ? -1 : postSuffixes.findIndex((s) => tail.startsWith(s));
        if (pre < 0 && post < 0) {
          this.kind = Token.Invalid;
          return -1;
        }
        value = pre >= 0 ? pre - preSuffixes.length : post;
        length = (pre >= 0 ? preSuffixes[pre] : postSuffixes[post])!.length;
        break;
      }
      default:
        this.kind = Token.Invalid;
        return -1;
    }
    this.at += length;
    if (this.rest === 0) this.kind = Token.End;
    else if (then !== undefined) this.kind = then;
    else this.advanceKind();
    return value;
  }

  /** The value of the next token without moving (a copy reads it). */
  peekValue(): number {
    const copy = new Reader(this.text);
    copy.at = this.at;
    copy.kind = this.kind;
    return copy.read();
  }
}

/** Whether apk accepts the version. */
export function isApkVersion(version: string): boolean {
  const reader = new Reader(version);
  while (reader.kind !== Token.End && reader.kind !== Token.Invalid) reader.read();
  return reader.kind === Token.End;
}

/** Compares two apk versions (-1, 0, 1); throws on a version apk would refuse. */
export function compareApk(a: string, b: string): number {
  if (!isApkVersion(a)) throw new TypeError(`not an Alpine version: "${a}"`);
  if (!isApkVersion(b)) throw new TypeError(`not an Alpine version: "${b}"`);
  const x = new Reader(a);
  const y = new Reader(b);
  let xv = 0;
  let yv = 0;
  while (x.kind === y.kind && x.kind !== Token.End && x.kind !== Token.Invalid && xv === yv) {
    xv = x.read();
    yv = y.read();
  }
  if (xv !== yv) return xv < yv ? -1 : 1;
  if (x.kind === y.kind) return 0;
  // Equal so far: the longer version is newer, unless what it has more of is a pre-release suffix.
  if (x.kind === Token.Suffix && x.peekValue() < 0) return -1;
  if (y.kind === Token.Suffix && y.peekValue() < 0) return 1;
  if (x.kind > y.kind) return -1;
  if (y.kind > x.kind) return 1;
  return 0;
}
