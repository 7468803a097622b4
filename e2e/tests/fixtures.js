// Shared fixtures for every journey:
//  * `page` fails the test on a script error, a console error (such as a Content
//    Security Policy refusal) or a sub-resource (CSS, JS, font, icon) that fails to load;
//  * `axe.check(page, label)` runs axe-core (WCAG 2.0/2.1 A and AA) on the current page
//    and fails on any violation, printing them; every page the test navigates to must be
//    checked, or the test fails when it ends.
const base = require('@playwright/test');
const { AxeBuilder } = require('@axe-core/playwright');

const { expect } = base;
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

function describeViolations(violations) {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .map((n) => `    - ${n.target.join(' ')}\n      ${n.failureSummary.replace(/\n/g, '\n      ')}`)
        .join('\n');
      return `[${v.impact}] ${v.id}: ${v.help}\n  ${v.helpUrl}\n${nodes}`;
    })
    .join('\n');
}

const test = base.test.extend({
  page: async ({ page }, use, testInfo) => {
    const problems = [];
    page.on('pageerror', (error) => problems.push(`script error: ${error.message}`));
    page.on('console', (message) => {
      // A document answered with 4xx (a form shown again with its errors) is logged
      // as "Failed to load resource"; sub-resources are checked below instead.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        problems.push(`console error: ${message.text()}`);
      }
    });
    page.on('response', (response) => {
      const request = response.request();
      if (request.resourceType() !== 'document' && response.status() >= 400) {
        problems.push(`${response.status()} for ${request.resourceType()} ${request.url()}`);
      }
    });
    page.on('requestfailed', (request) => {
      const failure = request.failure()?.errorText ?? 'failed';
      // Requests cut short by the next navigation are not errors.
      if (request.resourceType() !== 'document' && !failure.includes('ERR_ABORTED')) {
        problems.push(`${failure} for ${request.resourceType()} ${request.url()}`);
      }
    });

    await use(page);

    // Report these only when the test passed otherwise, so the first failure stays on top.
    if (testInfo.status !== testInfo.expectedStatus) return;
    expect(problems, `the pages had errors:\n${problems.join('\n')}`).toEqual([]);
  },

  axe: async ({ page }, use, testInfo) => {
    let unchecked = null; // the page navigated to and not yet checked
    const missed = [];
    page.on('framenavigated', (frame) => {
      if (frame !== page.mainFrame() || frame.url().startsWith('about:')) return;
      if (unchecked) missed.push(unchecked);
      unchecked = frame.url();
    });

    await use({
      async check(target, label) {
        await target.waitForLoadState('load');
        const results = await new AxeBuilder({ page: target }).withTags(WCAG_TAGS).analyze();
        const where = `${label} (${target.url()}, lang=${await target.locator('html').getAttribute('lang')})`;
        const found = results.violations.map((v) => `${v.id} x${v.nodes.length}`);
        expect(found, `axe found violations on ${where}:\n${describeViolations(results.violations)}`).toEqual([]);
        if (target === page) unchecked = null;
      },
    });

    if (testInfo.status !== testInfo.expectedStatus) return;
    if (unchecked) missed.push(unchecked);
    expect(missed, 'pages visited without an axe check').toEqual([]);
  },
});

module.exports = { test, expect };
