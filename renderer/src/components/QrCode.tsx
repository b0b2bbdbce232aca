/**
 * A QR code drawn as one SVG path from its modules (rows of '0' and '1' made in main): nothing is
 * fetched and no image source is needed. Always dark on white, with the four-module quiet zone
 * scanners need, whatever the window's colours.
 */
const QUIET_ZONE = 4;

export function QrCode({ rows, label }: { rows: readonly string[]; label: string }) {
  const size = rows.length + QUIET_ZONE * 2;
  let path = '';
  rows.forEach((row, y) => {
    for (let x = 0; x < row.length; x++) {
      if (row[x] === '1') path += `M${x + QUIET_ZONE} ${y + QUIET_ZONE}h1v1h-1z`;
    }
  });
  return (
    <svg className="qr-code" role="img" aria-label={label} viewBox={`0 0 ${size} ${size}`} shapeRendering="crispEdges">
      <rect width={size} height={size} fill="#ffffff" />
      <path d={path} fill="#000000" />
    </svg>
  );
}
