// Drives Debian's chromium through one journey for the registry's end-to-end tests
// (tests/e2e/support/chromium.rs), so that the Rust tests can assert on what a person using a real
// browser saw, and on what axe-core found in each page. The journey is a JSON list of steps on
// standard input; the outcome is one JSON object on standard output. Nothing is asserted here
// beyond "the step could be done": the Rust tests hold the assertions and share their fixtures.
//
// Input:  { "executablePath": "/usr/bin/chromium", "javascript": true, "steps": [ … ] }
// Output: { "ok": true|false, "steps": [ { "step": …, "page": …, "axe": … } ], "error": "…" }
//
// playwright-core drives the browser; its own browser download does not work on a closed
// network, so it launches the system's chromium. Playwright gives every launch a fresh
// user-data directory under the temporary directory ($TMPDIR, which the Rust side points into
// the test's own temporary directory) and removes it afterwards.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
/** WCAG 2.2 AA, as the specification asks of every page. */
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** How long one action may wait for its element or its navigation. */
const STEP_TIMEOUT_MS = 10_000;

/** Launches the browser, runs the journey's steps in order until one fails, prints the outcome. */
async function main() {
  const input = JSON.parse(readFileSync(0, 'utf8'));
  const outcome = { ok: true, steps: [] };

  const browser = await chromium.launch({
    executablePath: input.executablePath,
    headless: true,
    args: ARGS,
    timeout: 30_000,
  });
  try {
    const context = await browser.newContext({ javaScriptEnabled: input.javascript !== false });
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    const page = await context.newPage();
    // The status of the last document the main frame loaded, however it got there.
    let status = null;
    page.on('response', (response) => {
      const request = response.request();
      if (request.isNavigationRequest() && request.frame() === page.mainFrame()) {
        status = response.status();
      }
    });
    for (const step of input.steps) {
      const record = { step };
      outcome.steps.push(record);
      try {
        const extra = await perform(page, step);
        Object.assign(record, extra);
        record.page = await state(page, status);
      } catch (error) {
        outcome.ok = false;
        outcome.error = String(error?.message ?? error);
        record.page = await state(page, status).catch(() => null);
        break;
      }
    }
    await context.close();
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(outcome));
}

/** Does one step; returns what it found beyond the page's state. */
async function perform(page, step) {
  switch (step.action) {
    case 'goto':
      await page.goto(step.url, { waitUntil: 'load' });
      return {};
    case 'click_button':
      await navigating(page, () => page.getByRole('button', { name: step.name, exact: step.exact }).click());
      return {};
    case 'click_link':
      await navigating(page, () => page.getByRole('link', { name: step.name, exact: step.exact }).click());
      return {};
    case 'fill':
      await page.getByLabel(step.label, { exact: step.exact }).fill(step.value);
      return {};
    case 'check':
      await page.getByLabel(step.label, { exact: step.exact }).check();
      return {};
    case 'uncheck':
      await page.getByLabel(step.label, { exact: step.exact }).uncheck();
      return {};
    case 'select':
      await page.getByLabel(step.label, { exact: step.exact }).selectOption({ label: step.option });
      return {};
    case 'submit': {
      // The form that holds the named field: pressing Enter in it submits it as a person would.
      const field = page.getByLabel(step.label, { exact: step.exact });
      await navigating(page, () => field.press('Enter'));
      return {};
    }
    case 'expect_text': {
      const text = await mainText(page);
      if (!text.includes(step.text)) {
        throw new Error(`expected the page to show ${JSON.stringify(step.text)}`);
      }
      return {};
    }
    case 'expect_no_text': {
      const text = await mainText(page);
      if (text.includes(step.text)) {
        throw new Error(`expected the page not to show ${JSON.stringify(step.text)}`);
      }
      return {};
    }
    case 'wait_for':
      await page.locator(step.selector).first().waitFor({ state: 'visible' });
      return {};
    case 'snapshot':
      return {};
    case 'screenshot':
      await page.screenshot({ path: step.path, fullPage: true });
      return {};
    case 'axe':
      return { axe: await axe(page) };
    default:
      throw new Error(`unknown step ${JSON.stringify(step.action)}`);
  }
}

/** Runs an action that may navigate, and waits until the page it leads to has loaded. */
async function navigating(page, action) {
  await action();
  await page.waitForLoadState('load');
}

/** axe-core's WCAG 2.2 AA violations in the page as it stands.
 *
 * axe runs in an isolated world of the page's main frame, made through the DevTools protocol: it
 * sees the same document, the page's Content-Security-Policy (no inline script) does not stop it,
 * and it leaves the page's own globals alone. With JavaScript disabled Chromium still runs such a
 * world, but its timers never fire while animation frames do; axe waits on `setTimeout`, so the
 * world's timers are first replaced by ones driven by animation frames. */
async function axe(page) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { frameTree } = await cdp.send('Page.getFrameTree');
    const { executionContextId } = await cdp.send('Page.createIsolatedWorld', {
      frameId: frameTree.frame.id,
      worldName: 'registry-axe',
    });
    const expression = `${FRAME_TIMERS}\n${AXE_SOURCE}\n;(${runAxe})(${JSON.stringify(AXE_TAGS)})`;
    const evaluation = cdp.send('Runtime.evaluate', {
      contextId: executionContextId,
      expression,
      awaitPromise: true,
      returnByValue: true,
    });
    const { result, exceptionDetails } = await within(STEP_TIMEOUT_MS, 'axe-core', evaluation);
    if (exceptionDetails) {
      throw new Error(`axe-core failed: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
    }
    return result.value;
  } finally {
    await cdp.detach().catch(() => {});
  }
}

/** `promise`, or an error naming `what` once `ms` have passed. */
function within(ms, what, promise) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Runs in the page: axe-core with the given tags, violations only, in plain JSON. */
async function runAxe(tags) {
  // eslint-disable-next-line no-undef
  const results = await axe.run(document, {
    runOnly: { type: 'tag', values: tags },
    resultTypes: ['violations'],
  });
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({
      target: n.target.map(String),
      html: n.html,
      failureSummary: n.failureSummary ?? '',
    })),
  }));
}

/** `setTimeout` and `clearTimeout` driven by animation frames, for the isolated world. */
const FRAME_TIMERS = `(() => {
  const timers = new Map();
  let next = 1;
  const tick = () => {
    const now = performance.now();
    for (const [id, timer] of [...timers]) {
      if (now >= timer.due) {
        timers.delete(id);
        timer.callback(...timer.args);
      }
    }
    if (timers.size > 0) requestAnimationFrame(tick);
  };
  globalThis.setTimeout = (callback, delay = 0, ...args) => {
    const id = next++;
    if (timers.size === 0) requestAnimationFrame(tick);
    timers.set(id, { callback, due: performance.now() + (Number(delay) || 0), args });
    return id;
  };
  globalThis.clearTimeout = (id) => { timers.delete(id); };
})();`;

/** What the page shows: where it is, its status, its title and the text of its parts. */
async function state(page, status) {
  return {
    url: page.url(),
    status,
    title: await page.title(),
    heading: await text(page, 'h1'),
    header: await text(page, 'header'),
    main: await mainText(page),
  };
}

async function mainText(page) {
  return (await text(page, 'main')) ?? (await text(page, 'body')) ?? '';
}

/** The rendered text of the first element matching `selector`, or null if there is none. */
async function text(page, selector) {
  const element = page.locator(selector).first();
  if ((await element.count()) === 0) return null;
  return element.innerText();
}

// Last, so that every constant above is initialised before the journey starts.
await main();
