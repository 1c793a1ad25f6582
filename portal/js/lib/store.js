// The citizen's dossiers kept in this browser: {id, access_token, procedure_code, procedure_name, code}.
// A draft survives a reload or a dropped connection; "my dossiers" lists them.
const KEY = "dvc.dossiers";

function read() {
  try {
    const list = JSON.parse(localStorage.getItem(KEY) || "[]");
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

function write(list) {
  try {
    localStorage.setItem(KEY, JSON.stringify(list));
  } catch {
    /* storage full or disabled: the citizen keeps the link and the access code instead */
  }
}

export function dossiers() {
  return read();
}

export function findDossier(id) {
  return read().find((d) => d.id === id) || null;
}

export function draftFor(procedureCode) {
  return read().find((d) => d.procedure_code === procedureCode && !d.code) || null;
}

export function remember(entry) {
  const list = read().filter((d) => d.id !== entry.id);
  const previous = read().find((d) => d.id === entry.id) || {};
  list.unshift({ ...previous, ...entry, saved_at: new Date().toISOString() });
  write(list.slice(0, 50));
}

export function forget(id) {
  write(read().filter((d) => d.id !== id));
}

// What a citizen typed before the draft existed (no id yet): kept for this tab only.
export function keepUnsaved(procedureCode, values) {
  try {
    sessionStorage.setItem(`dvc.unsaved.${procedureCode}`, JSON.stringify(values));
  } catch {
    /* ignore */
  }
}

export function unsaved(procedureCode) {
  try {
    return JSON.parse(sessionStorage.getItem(`dvc.unsaved.${procedureCode}`) || "null");
  } catch {
    return null;
  }
}

export function dropUnsaved(procedureCode) {
  try {
    sessionStorage.removeItem(`dvc.unsaved.${procedureCode}`);
  } catch {
    /* ignore */
  }
}
