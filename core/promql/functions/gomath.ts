/**
 * @module core/promql/functions/gomath — Go's math package functions where JavaScript's Math
 * differs from Go 1.19 on amd64 in the last bit.
 */
export const goSin = Math.sin;
export const goCos = Math.cos;
export const goTan = Math.tan;
export const goAsin = Math.asin;
export const goAcos = Math.acos;
export const goAtan = Math.atan;
