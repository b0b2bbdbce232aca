/**
 * The QR code of an otpauth:// URI as rows of modules ('1' dark, '0' light), made in main with
 * `@paulmillr/qr` and drawn by the window as SVG shapes: nothing is fetched, and no image source
 * needs allowing in the window's CSP. The quiet zone around it is the window's to draw.
 */
import encodeQR from '@paulmillr/qr';

export function qrRows(text: string): string[] {
  // Medium error correction (15%): a screen read by a phone camera needs little, and the code stays small.
  return encodeQR(text, 'raw', { ecc: 'medium', border: 0 }).map((row) => row.map((dark) => (dark ? '1' : '0')).join(''));
}
