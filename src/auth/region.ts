/** The EU's 27 member states plus Iceland, Liechtenstein and Norway: the DMA's reach. */
export const EEA_COUNTRIES: ReadonlySet<string> = new Set([
  'AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU',
  'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE', 'IS', 'LI', 'NO',
]);

/** Whether a user registered in `country` is served; `extra` adds configured countries such as GB or CH. */
export function isEligibleCountry(country: string, extra: ReadonlySet<string> = new Set()): boolean {
  return EEA_COUNTRIES.has(country) || extra.has(country);
}
