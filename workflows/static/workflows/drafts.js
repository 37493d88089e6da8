/**
 * Drafts of a report form (`form[data-draft-key]`): what was typed and chosen survives a
 * reload, Back and a closed tab until the report is sent.
 *
 * The fields go to localStorage under the form's key (which names the account, so two people
 * sharing a phone do not see each other's drafts); the shrunk photos, which are Blobs, to
 * IndexedDB where the browser has it. Never kept: the CSRF token, passwords, the raw files.
 * The draft is dropped when the report was sent (`draftDiscard`), when the person discards
 * it, or after a week.
 */
import { photoList } from "./photos.js";

const PREFIX = "gridcase-draft:";
const MAX_AGE_MS = 7 * 24 * 3600 * 1000;
const SKIPPED = new Set(["csrfmiddlewaretoken", "password"]);

function kept(element) {
  return (
    element.name &&
    !SKIPPED.has(element.name) &&
    !["password", "file", "submit", "button"].includes(element.type)
  );
}

function fieldsRead(form) {
  const values = {};
  for (const element of form.elements) {
    if (!kept(element)) continue;
    if (element.type === "checkbox" || element.type === "radio") {
      if (element.checked) (values[element.name] ||= []).push(element.value);
      else values[element.name] ||= [];
    } else if (element.tagName === "SELECT" && element.multiple) {
      values[element.name] = [...element.selectedOptions].map((option) => option.value);
    } else {
      values[element.name] = [element.value];
    }
  }
  return values;
}

function fieldsWrite(form, values) {
  for (const element of form.elements) {
    if (!kept(element) || !(element.name in values)) continue;
    const chosen = values[element.name];
    if (element.type === "checkbox" || element.type === "radio") {
      element.checked = chosen.includes(element.value);
    } else if (element.tagName === "SELECT" && element.multiple) {
      [...element.options].forEach((option) => (option.selected = chosen.includes(option.value)));
    } else if (chosen.length) {
      element.value = chosen[0];
    }
  }
}

function database() {
  return new Promise((resolve, reject) => {
    if (!window.indexedDB) return reject(new Error("no IndexedDB"));
    const opening = indexedDB.open("gridcase-drafts", 1);
    opening.onupgradeneeded = () => opening.result.createObjectStore("photos");
    opening.onsuccess = () => resolve(opening.result);
    opening.onerror = () => reject(opening.error);
  });
}

async function photosStore(key, value) {
  const db = await database();
  return new Promise((resolve, reject) => {
    const store = db.transaction("photos", "readwrite").objectStore("photos");
    const request = value === undefined ? store.delete(key) : store.put(value, key);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error);
  });
}

async function photosLoad(key) {
  const db = await database();
  return new Promise((resolve, reject) => {
    const request = db.transaction("photos").objectStore("photos").get(key);
    request.onsuccess = () => resolve(request.result || []);
    request.onerror = () => reject(request.error);
  });
}

function notice(form, savedAt, discard) {
  const box = document.createElement("p");
  box.className = "notice draft-notice";
  box.setAttribute("role", "status");
  const time = new Date(savedAt).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  box.append(`${form.dataset.draftRestored || "Draft restored"} (${time}) `);
  const button = document.createElement("button");
  button.type = "button";
  button.className = "link";
  button.textContent = form.dataset.draftDiscard || "Discard";
  button.addEventListener("click", () => {
    discard();
    box.remove();
  });
  box.append(button);
  form.prepend(box);
}

/** Keep `form`'s draft; with `restore: false` only save (the page already shows the form). */
export function draftKeep(form, { restore = true } = {}) {
  const key = form.dataset.draftKey;
  if (!key || !window.localStorage) return;
  const storageKey = PREFIX + key;
  const input = form.querySelector("input[type=file][data-photos]");
  let timer = null;

  const save = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const draft = { savedAt: Date.now(), values: fieldsRead(form) };
      try {
        localStorage.setItem(storageKey, JSON.stringify(draft));
      } catch {
        /* full or forbidden: the form still works, without a draft */
      }
    }, 250);
  };
  const savePhotos = () => {
    const photos = photoList(input).items.map(({ blob, name, taken }) => ({ blob, name, taken }));
    photosStore(key, photos).catch(() => {});
    save();
  };
  const discard = () => {
    clearTimeout(timer);
    return draftDiscard(form);
  };

  if (restore) {
    let draft = null;
    try {
      draft = JSON.parse(localStorage.getItem(storageKey) || "null");
    } catch {
      draft = null;
    }
    if (draft && Date.now() - draft.savedAt > MAX_AGE_MS) {
      discard();
      draft = null;
    }
    if (draft) {
      fieldsWrite(form, draft.values);
      notice(form, draft.savedAt, () => discard().then(() => location.reload()));
      if (input && photoList(input).items.length === 0) {
        photosLoad(key)
          .then((photos) => photos.length && photoList(input).restore(photos))
          .catch(() => {});
      }
    }
  }
  form.addEventListener("input", save);
  form.addEventListener("change", save);
  if (input) form.addEventListener("photos-changed", savePhotos);
  discards.set(form, () => clearTimeout(timer));
}

const discards = new WeakMap();

/** Forget `form`'s draft (it was sent): resolves once the photos are gone too. */
export async function draftDiscard(form) {
  const key = form.dataset.draftKey;
  if (!key || !window.localStorage) return;
  discards.get(form)?.();
  localStorage.removeItem(PREFIX + key);
  await photosStore(key, undefined).catch(() => {});
}
