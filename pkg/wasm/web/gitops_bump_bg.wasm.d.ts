/* tslint:disable */
/* eslint-disable */
export const memory: WebAssembly.Memory;
export const applyEdits: (a: number, b: number, c: any, d: any) => [number, number, number];
export const checkImage: (a: number, b: number, c: number, d: number, e: any) => [number, number, number];
export const environment: (a: number, b: number, c: any) => [number, number, number];
export const getValue: (a: number, b: number, c: number, d: number, e: any) => [number, number, number];
export const imageEdit: (a: number, b: number, c: number, d: number, e: any, f: any) => [number, number, number];
export const overlayImages: (a: number, b: number, c: any) => [number, number, number];
export const parseImageSpec: (a: number, b: number) => [number, number, number];
export const promoteImage: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number, j: number, k: any) => [number, number, number];
export const removeValue: (a: number, b: number, c: number, d: number, e: any) => [number, number, number];
export const scanImage: (a: number, b: number, c: number, d: number, e: any) => [number, number, number];
export const setImage: (a: number, b: number, c: number, d: number, e: any) => [number, number, number];
export const setValue: (a: number, b: number, c: number, d: number, e: number, f: number, g: any) => [number, number, number];
export const start: () => void;
export const tagCompanions: (a: number, b: number, c: number, d: number, e: number, f: number, g: any) => [number, number, number];
export const version: () => [number, number];
export const __wbindgen_malloc: (a: number, b: number) => number;
export const __wbindgen_realloc: (a: number, b: number, c: number, d: number) => number;
export const __wbindgen_free: (a: number, b: number, c: number) => void;
export const __wbindgen_exn_store: (a: number) => void;
export const __externref_table_alloc: () => number;
export const __wbindgen_externrefs: WebAssembly.Table;
export const __externref_table_dealloc: (a: number) => void;
export const __externref_drop_slice: (a: number, b: number) => void;
export const __wbindgen_start: () => void;
