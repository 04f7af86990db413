/** Filled in by its own issue. */
export const PACKAGE_NAME = '@tracehop/nsqjs';
