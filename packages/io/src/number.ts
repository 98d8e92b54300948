const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
  1e21, 1e22,
];

/**
 * Parses a decimal number in text[start, end): `[+-]digits[.digits][(e|E)[+-]digits][(digits)]`, the CIF
 * numeric form with an optional standard uncertainty in parentheses, which is dropped. Returns NaN for
 * anything else. Exact (correctly rounded) when the digits fit in 2^53 and the decimal exponent in ±22 —
 * the usual case — and falls back to `Number()` otherwise.
 */
export function parseNumberAt(text: string, start: number, end: number): number {
  let i = start;
  if (i >= end) return Number.NaN;
  let neg = false;
  let c = text.charCodeAt(i);
  if (c === 45 || c === 43) {
    neg = c === 45;
    i++;
  }
  let mant = 0;
  let digits = 0;
  let scale = 0;
  let any = false;
  while (i < end) {
    c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    mant = mant * 10 + c;
    if (mant !== 0) digits++;
    any = true;
    i++;
  }
  if (i < end && text.charCodeAt(i) === 46) {
    i++;
    while (i < end) {
      c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      mant = mant * 10 + c;
      if (mant !== 0) digits++;
      scale--;
      any = true;
      i++;
    }
  }
  if (!any) return Number.NaN;
  let numEnd = i;
  let exp = 0;
  if (i < end && (text.charCodeAt(i) | 0x20) === 101) {
    i++;
    let eneg = false;
    if (i < end) {
      c = text.charCodeAt(i);
      if (c === 45 || c === 43) {
        eneg = c === 45;
        i++;
      }
    }
    let eany = false;
    while (i < end) {
      c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      exp = exp * 10 + c;
      eany = true;
      i++;
    }
    if (!eany) return Number.NaN;
    if (eneg) exp = -exp;
    numEnd = i;
  }
  if (i < end) {
    // Standard uncertainty: '(' digits ')' and nothing after.
    if (text.charCodeAt(i) !== 40 || text.charCodeAt(end - 1) !== 41 || end - i < 3) return Number.NaN;
    for (let j = i + 1; j < end - 1; j++) {
      c = text.charCodeAt(j) - 48;
      if (c < 0 || c > 9) return Number.NaN;
    }
  }
  const e10 = scale + exp;
  let v: number;
  if (digits <= 15 && e10 >= -22 && e10 <= 22) {
    v = e10 < 0 ? mant / POW10[-e10] : mant * POW10[e10];
  } else {
    v = Number(text.slice(start, numEnd));
    return v;
  }
  return neg ? -v : v;
}
