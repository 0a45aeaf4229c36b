/** A database datetime (a Date, or a string or number on some drivers) as an ISO string; null stays null. */
export const toIso = (value: string | Date | null) => (value === null ? null : new Date(value).toISOString());
