/** Types for after-pack.mjs (the electron-builder hook stays plain JavaScript: it runs without a compile step). */
import type { AfterPackContext } from 'electron-builder';

export declare const FUSES: Readonly<Record<string, boolean>>;
export declare function electronBinaryPath(context: AfterPackContext): string;
export declare function afterPack(context: AfterPackContext): Promise<void>;
export default afterPack;
