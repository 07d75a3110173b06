// DomaCross pages: the server renders everything; this script only shows times in the
// viewer's zone, adds copy buttons to wallets, and applies the leaderboard stream's events
// (Server-Sent Events pushed by the API: no polling). Formatting matches domacross/web/format.py.
"use strict";

const WEI_PER_ETH = 10n ** 18n;
const ETH_DECIMALS = 4;

function group(digits) {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function eth(wei, signed) {
  const value = BigInt(wei);
  const sign = value < 0n ? "-" : signed && value > 0n ? "+" : "";
  const abs = value < 0n ? -value : value;
  const whole = abs / WEI_PER_ETH;
  const rest = abs % WEI_PER_ETH;
  const fraction = (rest / 10n ** BigInt(18 - ETH_DECIMALS))
    .toString()
    .padStart(ETH_DECIMALS, "0")
    .replace(/0+$/, "");
  return sign + group(whole.toString()) + (fraction ? "." + fraction : "") + " ETH";
}

function amount(wei, signed) {
  const node = document.createElement("data");
  node.className = "amount";
  node.value = String(wei);
  node.title = group(String(wei)) + " wei";
  node.textContent = eth(wei, signed);
  return node;
}

function shortWallet(wallet) {
  return wallet.slice(0, 6) + "\u2026" + wallet.slice(-4);
}

function copyButton(address) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "copy";
  button.dataset.copy = address;
  button.setAttribute("aria-label", "Copy wallet " + address);
  button.textContent = "Copy";
  return button;
}

function trader(address, username) {
  const span = document.createElement("span");
  span.className = "trader";
  const link = document.createElement("a");
  link.href = "/traders/" + address;
  if (username) {
    const name = document.createElement("span");
    name.className = "username";
    name.textContent = username;
    link.append(name, " ");
  }
  const code = document.createElement("code");
  code.className = "wallet";
  code.title = address;
  code.textContent = shortWallet(address);
  link.append(code);
  span.append(link, copyButton(address));
  return span;
}

// NOTE: dateStyle/timeStyle cannot be combined with timeZoneName, hence the fields.
const timeFormat = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  timeZoneName: "short",
});

function localizeTimes(root) {
  for (const node of root.querySelectorAll("time[datetime]")) {
    const at = new Date(node.getAttribute("datetime"));
    if (Number.isNaN(at.getTime())) continue;
    node.title = node.getAttribute("datetime");
    node.textContent = timeFormat.format(at);
  }
}

async function copy(button) {
  const text = button.dataset.copy;
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // No clipboard permission (e.g. not a secure context): select the text instead.
    const code = button.parentElement.querySelector("code");
    if (code) window.getSelection().selectAllChildren(code);
    return;
  }
  button.dataset.copied = "";
  button.textContent = "Copied";
  setTimeout(() => {
    delete button.dataset.copied;
    button.textContent = "Copy";
  }, 1500);
}

function enableCopy(root) {
  for (const button of root.querySelectorAll("button.copy")) button.hidden = false;
}

function row(entry, previous) {
  const tr = document.createElement("tr");
  tr.dataset.wallet = entry.wallet;
  const rank = document.createElement("td");
  rank.className = "num";
  rank.dataset.label = "Rank";
  rank.textContent = String(entry.rank);
  const who = document.createElement("th");
  who.scope = "row";
  who.append(trader(entry.wallet, entry.username));
  tr.append(rank, who);
  for (const [label, value, signed] of [
    ["Value", entry.value, false],
    ["Realised P&L", entry.realised_pnl, true],
    ["Unrealised P&L", entry.unrealised_pnl, true],
  ]) {
    const td = document.createElement("td");
    td.className = "num";
    td.dataset.label = label;
    td.append(amount(value, signed));
    tr.append(td);
  }
  if (previous.get(entry.wallet) !== entry.value) tr.classList.add("changed");
  return tr;
}

function applyBoard(table, status, event) {
  const body = table.tBodies[0];
  const previous = new Map(
    [...body.rows].map((tr) => [tr.dataset.wallet, tr.querySelector("th + td data")?.value]),
  );
  const rows = event.data.map((entry) => row(entry, previous));
  if (rows.length === 0) {
    const tr = document.createElement("tr");
    tr.className = "empty";
    const td = document.createElement("td");
    td.colSpan = 5;
    td.textContent = "No entrants yet.";
    tr.append(td);
    rows.push(tr);
  }
  body.replaceChildren(...rows);
  for (const node of document.querySelectorAll('[data-live="entrants"]')) {
    node.textContent = String(event.total_entrants);
  }
  status.dataset.state = "live";
  status.textContent = "Live: updated " + new Date().toLocaleTimeString();
}

function followLeaderboard() {
  const table = document.getElementById("leaderboard");
  const status = document.getElementById("live-status");
  if (!table || !status || !status.dataset.stream || !window.EventSource) return;
  const source = new EventSource(status.dataset.stream);
  source.addEventListener("leaderboard", (message) => {
    applyBoard(table, status, JSON.parse(message.data));
  });
  source.addEventListener("gone", () => {
    source.close();
    status.dataset.state = "gone";
    status.textContent = "This competition is no longer indexed (a chain reorganisation removed it).";
  });
  source.addEventListener("error", () => {
    // EventSource reconnects by itself, after the `retry` the server sent.
    status.dataset.state = "reconnecting";
    status.textContent = "Connection lost: reconnecting\u2026";
  });
}

document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("button.copy") : null;
  if (button) copy(button);
});

localizeTimes(document);
enableCopy(document);
followLeaderboard();
