/**
 * A symmetry operation as 12 numbers: the 3×3 rotation R (row-major) then the translation t, acting on a
 * fractional column vector as x' = R·x + t.
 */
export type SymOp = Float64Array;

/** The identity operation. */
export function identityOp(): SymOp {
  return Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0);
}

/**
 * Parses a CIF xyz operation such as `'-x+1/2, y, -z'`, `'x-y,x,z+1/6'`, `'1/2+X, 0.5-y, z'` into a
 * {@link SymOp}. Returns a string saying what was expected when the text is not an operation.
 *
 * @example
 * parseXyzOperation('-y, x-y, z+1/3'); // Float64Array [0,-1,0, 1,-1,0, 0,0,1, 0,0,0.333…]
 */
export function parseXyzOperation(text: string): SymOp | string {
  const op = new Float64Array(12);
  let row = 0;
  let i = 0;
  const n = text.length;
  let rowHasTerm = false;
  while (i <= n) {
    // One term: [sign] [number [/ number]] [*] [x|y|z]
    while (i < n && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
    if (i >= n || text[i] === ',') {
      if (!rowHasTerm) return `expected a term such as x, -y or 1/2 in component ${row + 1} of '${text}'`;
      if (i >= n) break;
      row++;
      if (row > 2) return `expected 3 comma-separated components in '${text}', got more`;
      rowHasTerm = false;
      i++;
      continue;
    }
    let sign = 1;
    let sawSign = false;
    while (i < n && (text[i] === '+' || text[i] === '-')) {
      if (text[i] === '-') sign = -sign;
      sawSign = true;
      i++;
      while (i < n && text.charCodeAt(i) === 32) i++;
    }
    let coef = Number.NaN;
    const numStart = i;
    while (i < n && ((text[i] >= '0' && text[i] <= '9') || text[i] === '.')) i++;
    if (i > numStart) {
      coef = Number(text.slice(numStart, i));
      if (i < n && text[i] === '/') {
        i++;
        const denStart = i;
        while (i < n && ((text[i] >= '0' && text[i] <= '9') || text[i] === '.')) i++;
        const den = Number(text.slice(denStart, i));
        if (i === denStart || !(den !== 0) || !Number.isFinite(den)) {
          return `expected a denominator after '/' in '${text}'`;
        }
        coef /= den;
      }
      if (!Number.isFinite(coef)) return `expected a number in '${text}'`;
      while (i < n && text.charCodeAt(i) === 32) i++;
      if (i < n && text[i] === '*') {
        i++;
        while (i < n && text.charCodeAt(i) === 32) i++;
      }
    }
    const ch = i < n ? text[i].toLowerCase() : '';
    const axis = ch === 'x' ? 0 : ch === 'y' ? 1 : ch === 'z' ? 2 : -1;
    if (axis >= 0) {
      op[3 * row + axis] += sign * (Number.isNaN(coef) ? 1 : coef);
      i++;
      // Trailing '/n' after an axis, e.g. 'x/2', is not crystallographic; refuse it below.
    } else if (!Number.isNaN(coef)) {
      op[9 + row] += sign * coef;
    } else {
      return `expected x, y, z or a number${sawSign ? ' after the sign' : ''} in '${text}' at character ${i + 1}`;
    }
    rowHasTerm = true;
  }
  if (row !== 2) return `expected 3 comma-separated components in '${text}', got ${row + 1}`;
  return op;
}

/** Formats a {@link SymOp} as a CIF xyz string, e.g. `'-x+1/2, y, -z'`. */
export function formatXyzOperation(op: ArrayLike<number>): string {
  const parts: string[] = [];
  for (let r = 0; r < 3; r++) {
    let s = '';
    for (let c = 0; c < 3; c++) {
      const v = op[3 * r + c];
      if (v === 0) continue;
      const name = 'xyz'[c];
      const mag = Math.abs(v) === 1 ? name : `${fraction(Math.abs(v))}*${name}`;
      s += v < 0 ? `-${mag}` : s ? `+${mag}` : mag;
    }
    const t = op[9 + r] - Math.floor(op[9 + r] + 1e-9);
    if (Math.abs(t) > 1e-9) s += `${s ? '+' : ''}${fraction(t)}`;
    parts.push(s || '0');
  }
  return parts.join(', ');
}

function fraction(v: number): string {
  for (const d of [1, 2, 3, 4, 6, 8, 12]) {
    const k = Math.round(v * d);
    if (Math.abs(k / d - v) < 1e-6) return d === 1 ? String(k) : `${k}/${d}`;
  }
  return String(v);
}
