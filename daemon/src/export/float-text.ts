/**
 * Formats a float32 value with the fewest significant digits (up to 9) that read back to the same
 * float32, so text exports are exact without printing the float64 expansion 0.10000000149011612.
 * Tries 6 digits first, since most coordinates need 6 to 8, then shortens trailing zeros away.
 */
export function formatFloat32(value: number): string {
  if (!Number.isFinite(value)) return String(value)
  const target = Math.fround(value)
  for (let digits = 6; digits <= 9; digits++) {
    const shortest = Number(target.toPrecision(digits))
    if (Math.fround(shortest) === target) return String(shortest)
  }
  return String(target)
}
