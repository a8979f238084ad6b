// Unsaved text kept in this tab while a long form is written (portfolio/web/drafts.py).
//
// A form with data-draft="<key>" keeps what is typed in sessionStorage (this tab only,
// gone when the tab closes), so a save that went to the sign-in page instead (the session
// had ended, or the person signed out in another tab) loses nothing: back on the form, a
// notice above it offers the text again. Nothing is filled in unasked. The text is
// forgotten when the server confirms the save ([data-draft-saved] on the next page), on
// Discard, and on signing out in this tab; not when the form is sent, which may fail.
"use strict";
(() => {
  const PREFIX = "greenlight-draft:";
  const DELAY_MS = 400;
  // What the server compares to refuse a save over a change made since the page was
  // opened (portfolio/edits.py, the decision's count; "vote-version_seen" in a form with a
  // prefix). The text keeps the value it was typed against, and Restore puts that back: a
  // save of old text is then refused, with what changed beside it, instead of silently
  // replacing the change.
  const SEEN_FIELDS = ["version_seen", "decisions_seen"];
  const isSeen = (name) => SEEN_FIELDS.some((seen) => name === seen || name.endsWith(`-${seen}`));
  const NOT_TYPED = new Set(["hidden", "file", "password", "submit", "button", "reset", "image"]);

  const storage = (() => {
    try {
      const store = window.sessionStorage;
      store.getItem(PREFIX); // refused outright when storage is blocked
      return store;
    } catch {
      return null;
    }
  })();
  if (!storage) return; // the forms work as before, without this safety net

  function read(key) {
    try {
      const kept = JSON.parse(storage.getItem(key));
      return kept && Array.isArray(kept.fields) ? kept : null;
    } catch {
      return null;
    }
  }

  function write(key, kept) {
    try {
      storage.setItem(key, JSON.stringify(kept));
    } catch {
      // Storage full: the text is not kept, and the form works as before.
    }
  }

  function forget(key) {
    storage.removeItem(key);
  }

  function keptKeys() {
    const keys = [];
    for (let i = 0; i < storage.length; i++) {
      const key = storage.key(i);
      if (key && key.startsWith(PREFIX)) keys.push(key);
    }
    return keys;
  }

  // The fields a person types into: not the hidden ones (the CSRF token, what was seen),
  // files, passwords or buttons.
  function typedFields(form) {
    return [...form.elements].filter(
      (field) =>
        field.name && !field.disabled && !NOT_TYPED.has(field.type) && field.matches("input, textarea, select"),
    );
  }

  // What is typed, as [name, value] pairs in the form's order; a box or a choice only when ticked.
  function valuesOf(form) {
    const pairs = [];
    for (const field of typedFields(form)) {
      if (field.type === "checkbox" || field.type === "radio") {
        if (field.checked) pairs.push([field.name, field.value]);
      } else if (field.type === "select-multiple") {
        for (const option of field.selectedOptions) pairs.push([field.name, option.value]);
      } else {
        pairs.push([field.name, field.value]);
      }
    }
    return pairs;
  }

  function seenOf(form) {
    const seen = {};
    for (const field of form.elements) {
      if (field.type === "hidden" && isSeen(field.name)) seen[field.name] = field.value;
    }
    return seen;
  }

  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

  // Whether the record changed since the text was typed: version_seen is a digest of the
  // record and, after a ".", when the page was drawn; only the digest says a change.
  function changedSince(kept, form) {
    const now = seenOf(form);
    return Object.entries(kept.seen || {}).some(
      ([name, value]) => name in now && value.split(".")[0] !== now[name].split(".")[0],
    );
  }

  function fill(form, kept) {
    const wanted = new Map(kept.names.map((name) => [name, []]));
    for (const [name, value] of kept.fields) wanted.get(name)?.push(value);
    const filled = [];
    for (const field of typedFields(form)) {
      const values = wanted.get(field.name);
      if (!values) continue;
      if (field.type === "checkbox" || field.type === "radio") {
        field.checked = values.includes(field.value);
      } else if (field.type === "select-multiple") {
        for (const option of field.options) option.selected = values.includes(option.value);
      } else if (field.tagName === "SELECT") {
        const value = values.shift() ?? "";
        if ([...field.options].some((option) => option.value === value)) field.value = value;
      } else {
        field.value = values.shift() ?? "";
      }
      filled.push(field);
    }
    for (const field of form.elements) {
      if (field.type === "hidden" && isSeen(field.name) && field.name in (kept.seen || {})) {
        field.value = kept.seen[field.name];
      }
    }
    // What listens to the fields (the estimate's live total) sees the text as typed.
    for (const field of filled) {
      field.dispatchEvent(new Event("input", { bubbles: true }));
      field.dispatchEvent(new Event("change", { bubbles: true }));
    }
    return filled;
  }

  function twoDigits(number) {
    return String(number).padStart(2, "0");
  }

  function when(time) {
    const at = new Date(time);
    const clock = `${twoDigits(at.getHours())}:${twoDigits(at.getMinutes())}`;
    if (at.toDateString() === new Date().toDateString()) return clock;
    return `${at.getFullYear()}-${twoDigits(at.getMonth() + 1)}-${twoDigits(at.getDate())} ${clock}`;
  }

  const forms = new WeakMap();
  const waiting = new Set(); // forms with a keep() due

  function keep(form) {
    const state = forms.get(form);
    clearTimeout(state.timer);
    waiting.delete(form);
    if (state.offered) return; // the text offered stays kept until Restore or Discard
    const fields = valuesOf(form);
    // A refused save's page holds unsaved text from the start; any other page what is saved.
    if (!state.refused && same(fields, state.loaded)) {
      forget(state.key);
      return;
    }
    const names = [...new Set(typedFields(form).map((field) => field.name))];
    write(state.key, { savedAt: Date.now(), fields, names, seen: seenOf(form) });
  }

  function keepSoon(form) {
    const state = forms.get(form);
    clearTimeout(state.timer);
    waiting.add(form);
    state.timer = setTimeout(() => keep(form), DELAY_MS);
  }

  function button(text) {
    const element = document.createElement("button");
    element.type = "button";
    element.className = "button";
    element.textContent = text;
    return element;
  }

  function offer(form, kept) {
    const state = forms.get(form);
    state.offered = kept;
    const notice = document.createElement("div");
    notice.className = "draft-notice";
    notice.dataset.draftNotice = "";
    const message = document.createElement("p");
    message.setAttribute("role", "status");
    message.tabIndex = -1;
    message.textContent = `You have unsaved text from ${when(kept.savedAt)} in this tab.`;
    notice.append(message);
    if (changedSince(kept, form)) {
      const changed = document.createElement("p");
      changed.textContent =
        "This form was saved again since then, by someone else or in another tab. " +
        "If you restore your text and save, the page first shows what changed; nothing is replaced unasked.";
      notice.append(changed);
    }
    const restore = button("Restore it");
    const discard = button("Discard");
    const buttons = document.createElement("p");
    buttons.className = "button-row";
    buttons.append(restore, discard);
    notice.append(buttons);

    function done(sentence) {
      state.offered = null;
      for (const extra of [...notice.children]) if (extra !== message) extra.remove();
      message.textContent = sentence;
      message.focus();
    }
    restore.addEventListener("click", () => {
      const time = when(kept.savedAt);
      fill(form, kept);
      done(`Your unsaved text from ${time} is back in the form. It is not saved yet: check it, then save.`);
    });
    discard.addEventListener("click", () => {
      forget(state.key);
      done(`The unsaved text from ${when(kept.savedAt)} was discarded.`);
    });
    form.before(notice);
  }

  function start(form) {
    const key = form.dataset.draft;
    if (forms.has(form) || !key || !key.startsWith(PREFIX)) return;
    // The server refused the save and shows what was typed: that text is unsaved, and
    // kept at once; it is in the fields already, so it is not offered.
    const refused = Boolean(form.querySelector("[data-error-summary], .form-errors"));
    forms.set(form, { key, loaded: valuesOf(form), refused, offered: null, timer: null });
    const kept = read(key);
    if (refused) {
      keep(form);
    } else if (kept && !same(kept.fields, forms.get(form).loaded)) {
      offer(form, kept);
    } else if (kept) {
      forget(key); // the same as the form holds now: nothing unsaved
    }
  }

  function startWithin(root) {
    for (const marker of root.querySelectorAll("[data-draft-saved]")) forget(marker.dataset.draftSaved);
    if (root.matches?.("form[data-draft]")) start(root);
    for (const form of root.querySelectorAll("form[data-draft]")) start(form);
  }

  // Another person signed in on this tab: their pages never offer, nor keep, the text of
  // the one before.
  function forgetOtherPeople() {
    const mine = document.querySelector('meta[name="greenlight-drafts-of"]')?.content;
    if (!mine) return;
    for (const key of keptKeys()) if (!key.startsWith(mine)) forget(key);
  }

  function edited(event) {
    const form = event.target.form;
    if (form && forms.has(form)) keepSoon(form);
  }

  document.addEventListener("input", edited);
  document.addEventListener("change", edited);
  // The form is sent: keep what was typed in the last moment too (the save may fail).
  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      if (forms.has(form)) keep(form);
      if (form.matches("[data-draft-sign-out]")) for (const key of keptKeys()) forget(key);
    },
    true,
  );
  window.addEventListener("pagehide", () => {
    for (const form of [...waiting]) keep(form);
  });
  // A region htmx swapped in: a decision recorded (its marker), or refused (its form).
  document.addEventListener("htmx:load", (event) => startWithin(event.detail.elt));

  function startPage() {
    forgetOtherPeople();
    startWithin(document);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startPage);
  } else {
    startPage();
  }
})();
