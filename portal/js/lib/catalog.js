// Names the catalogue uses, in both languages.
export const LEVEL_KEYS = { 1: "level.1", 2: "level.2", 3: "level.3", 4: "level.4" };
export const TIER_KEYS = { province: "tier.province", district: "tier.district", commune: "tier.commune" };

export function procedureLink(code) {
  return `/thu-tuc.html?ma=${encodeURIComponent(code)}`;
}

export function applyLink(code) {
  return `/nop-ho-so.html?ma=${encodeURIComponent(code)}`;
}

export function dossierLink(id) {
  return `/ho-so.html#id=${encodeURIComponent(id)}`;
}
