// The outcome form: the tick "Yes, this amount is right" says which amount it confirms, and
// that sentence follows the realized value as it is typed (the server wrote it for the amount
// submitted). A tick given now confirms the amount it names: it is sent with that amount
// (the hidden confirmed_value), as a tick the server asked for is. A tick given before the
// amount changed is taken off as it changes, so that the box never shows ticked beside an
// amount it does not confirm (the server would ask again about the new one). Without this
// file the page works as before, the sentence changing on a submit.
"use strict";
(() => {
  // An amount as the form reads it: digits, at most two decimals ("1500000", "15000.5").
  const AMOUNT = /^(\d+)(?:\.(\d{0,2}))?$/;
  // A number with an exponent ("1e6", "2E3"): a number input takes it and sends it as typed,
  // and the server refuses it (portfolio.money.written_with_exponent), as no amount.
  const EXPONENT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)e[+-]?\d+$/i;

  function cents(text) {
    const match = AMOUNT.exec((text || "").trim());
    return match ? BigInt(match[1]) * 100n + BigInt((match[2] || "").padEnd(2, "0")) : null;
  }

  // As the server writes an amount to the cent (money_cents): "EUR 1,500,000.00".
  function money(currency, value) {
    const whole = (value / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return `${currency} ${whole}.${(value % 100n).toString().padStart(2, "0")}`;
  }

  // box: the tick's field and the hidden amount it confirms, with what the page knows.
  function follow(box) {
    const amount = document.getElementById(box.dataset.amountField);
    const confirmed = box.querySelector('input[name="confirmed_value"]');
    const tick = box.querySelector('input[name="confirm_value"]');
    const help = tick && document.getElementById(`${tick.id}_helptext`);
    const { currency, within, noAmount, notPlain } = box.dataset;
    const high = cents(box.dataset.high);
    const asked = cents(confirmed && confirmed.value);
    if (!amount || !help || high === null || asked === null) return;
    // The server's sentence, around the amount it names.
    const said = help.textContent;
    const at = said.indexOf(money(currency, asked));
    if (at < 0) return;
    const before = said.slice(0, at);
    const after = said.slice(at + money(currency, asked).length);

    // Text that is no plain number: written with an exponent, or that the number input
    // cannot read (it gives "" for it, as for nothing typed: "1,000" in some browsers).
    const notPlainNumber = () =>
      EXPONENT.test(amount.value.trim()) || Boolean(amount.validity && amount.validity.badInput);

    const update = () => {
      const value = cents(amount.value);
      // A tick confirms the amount it was given for: another amount is asked about again.
      if (tick.checked && value !== cents(confirmed.value)) tick.checked = false;
      if (value === null) help.textContent = notPlainNumber() && notPlain ? notPlain : noAmount;
      else if (value > high) help.textContent = before + money(currency, value) + after;
      else help.textContent = within.replace("{amount}", money(currency, value));
    };
    amount.addEventListener("input", update);
    tick.addEventListener("change", () => {
      if (tick.checked && cents(amount.value) !== null) confirmed.value = amount.value.trim();
    });
    update(); // an amount the browser kept on going back
  }

  const start = () => document.querySelectorAll("[data-amount-field]").forEach(follow);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
