/**
 * A ratio as the report prints it: two decimals, or three when two would hide which side of
 * its target it is on (0.503 printed as 0.50× next to "≤ 0.5×" would read as met).
 */
export function formatRatio(value: number, target?: number): string {
  const short = value.toFixed(2);
  const ambiguous = target !== undefined && Math.abs(value - target) < 0.005 && value !== target;
  return `${ambiguous ? value.toFixed(3) : short}×`;
}
