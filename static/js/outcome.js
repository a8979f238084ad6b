// The outcome form: the tick "Yes, this amount is right" says which amount it confirms, and
// that sentence follows the realized value as it is typed (the server wrote it for the amount
// submitted). A tick given now confirms the amount it names: it is sent with that amount
// (the hidden confirmed_value), as a tick the server asked for is. A tick given before the
// amount changed is taken off as it changes, so that the box never shows ticked beside an
// amount it does not confirm (the server would ask again about the new one). Without this
// file the page works as before, the sentence changing on a submit.
"use strict";
(() => {
  // A number with an exponent ("1e6", "2E3"): the server refuses it
  // (portfolio.money.written_with_exponent), saying to write it in plain digits.
  const EXPONENT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)e[+-]?\d+$/i;
  // A number in plain digits, as the server reads one (Python's Decimal without an
  // exponent): a sign or none, digits 0-9 with at most one point ("15000.5", ".5", "5.").
  const PLAIN = /^([+-]?)(\d*)(?:\.(\d*))?$/;
  // A whole part grouped in thousands by commas, as the server takes one
  // (portfolio.money.THOUSANDS_GROUPED): a first group of 1-3 digits (not starting with 0),
  // then groups of three, then the decimals (or an exponent), no comma after the point.
  // "1,600,000.50" is 1600000.50; a comma anywhere else ("12,50", "1,00") is no amount.
  const THOUSANDS_GROUPED = /^([+-]?)([1-9]\d{0,2}(?:,\d{3})+)((?:[.eE][^,]*)?)$/;
  // The largest amount Greenlight keeps, in cents (portfolio.money.LARGEST_AMOUNT), and
  // what the server says beside the field of a larger one (portfolio.money.too_large_instruction).
  const LARGEST = 999999999999999n;
  const TOO_LARGE =
    "Enter an amount of at most 9,999,999,999,999.99 (13 digits before the decimal point).";

  // What the realized value's field reads (portfolio.forms.MoneyField), spaces around aside:
  // { cents } for an amount it takes, { empty } for nothing typed, else { problem }, the
  // server's reason to refuse it: "exponent", "unreadable" (no number: "EUR 100", "1e"),
  // "comma" (a comma not between thousands: "12,50"), "negative", "decimals" (more than
  // two, "100.123" and "100.120" alike) or "tooLarge" (over the largest amount).
  function read(text) {
    let typed = (text || "").trim();
    if (!typed) return { empty: true };
    if (typed.includes(",")) {
      const grouped = THOUSANDS_GROUPED.exec(typed);
      if (!grouped) return { problem: "comma" };
      typed = grouped[1] + grouped[2].replace(/,/g, "") + grouped[3];
    }
    if (EXPONENT.test(typed)) return { problem: "exponent" };
    const match = PLAIN.exec(typed);
    const [, sign, whole, decimals] = match || [];
    if (!match || !(whole || decimals)) return { problem: "unreadable" };
    if (sign === "-" && /[1-9]/.test(whole + (decimals || ""))) return { problem: "negative" };
    if ((decimals || "").length > 2) return { problem: "decimals" };
    const cents = BigInt(whole || "0") * 100n + BigInt((decimals || "").padEnd(2, "0"));
    return cents > LARGEST ? { problem: "tooLarge" } : { cents };
  }

  // An amount's cents, or null for no amount the server takes.
  function cents(text) {
    const amount = read(text);
    return amount.cents === undefined ? null : amount.cents;
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
    const { currency, within, noAmount } = box.dataset;
    // What the tick's text says of each amount the server refuses (the template's words; a
    // misplaced comma is an amount not written as one, and over the largest amount the
    // field's own message, as the server says it beside the field).
    const refused = {
      exponent: box.dataset.notPlain,
      unreadable: box.dataset.unreadable,
      comma: box.dataset.comma || box.dataset.unreadable,
      negative: box.dataset.negative,
      decimals: box.dataset.decimals,
      tooLarge: box.dataset.tooLarge || TOO_LARGE,
    };
    const high = cents(box.dataset.high);
    const asked = cents(confirmed && confirmed.value);
    if (!amount || !help || high === null || asked === null) return;
    // The server's sentence, around the amount it names.
    const said = help.textContent;
    const at = said.indexOf(money(currency, asked));
    if (at < 0) return;
    const before = said.slice(0, at);
    const after = said.slice(at + money(currency, asked).length);

    const update = () => {
      const typed = read(amount.value);
      // A number input (a page from before) gives "" for text it cannot read: no amount.
      if (typed.empty && amount.validity && amount.validity.badInput) typed.problem = "unreadable";
      const value = typed.cents === undefined ? null : typed.cents;
      // A tick confirms the amount it was given for: another amount is asked about again.
      if (tick.checked && value !== cents(confirmed.value)) tick.checked = false;
      if (value === null) help.textContent = refused[typed.problem] || noAmount;
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
