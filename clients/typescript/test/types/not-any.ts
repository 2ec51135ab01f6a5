/** A compile-time check: `T` must not be `any` (a helper whose types did not resolve). */
type IsAny<T> = 0 extends 1 & T ? true : false;
export function notAny<T>(value: IsAny<T> extends true ? never : T): void {
  void value;
}
