// Case work journeys (SPEC C5, C6) against `bisidder demo --require-totp`:
//  1. a bisidder opens yesterday's case on a phone, records the meeting as held with hours
//     and mileage, and writes a note that only they can read;
//  2. the same bisidder files an acute report of concern from the case, sees at once how
//     to reach the municipality, records it as sent and opens the printable letter.
// The demo gives the first bisidder a case whose meeting was yesterday.
const { test, expect } = require('./fixtures');
const { PHONE, expectNoHorizontalScroll, randomLetters, signIn, signOut, submit, visit } = require('./journey-helpers');

const BISIDDER = 'bisidder01@demo.bisidder.dk';

async function tick(scope, id) {
  await scope.locator(`label[for=${id}]`).click();
  await expect(scope.locator(`#${id}`)).toBeChecked();
}

/** Opens the bisidder's case that has a meeting waiting to be recorded as held. */
async function openCaseWithHeldMeeting(page, axe) {
  await visit(page, axe, '/cases', 'my cases');
  await expect(page.locator('h1')).toHaveText('Sager');
  const links = page.locator('[data-testid=cases] tbody a');
  const hrefs = [];
  for (const link of await links.all()) hrefs.push(await link.getAttribute('href'));
  expect(hrefs.length, 'the demo bisidder has cases').toBeGreaterThan(0);
  for (const href of hrefs) {
    await visit(page, axe, href, 'a case page');
    if ((await page.locator('[data-testid=mark-held]').count()) > 0) return href;
  }
  throw new Error('no case with a meeting to record as held');
}

const COORDINATOR = 'koordinator@demo.bisidder.dk';
const SENIOR = 'seniorkonsulent@demo.bisidder.dk';

test.describe.serial('case work journeys', () => {
  test.use({ actionTimeout: 15_000 });
  let caseUrl;
  let privateNote;

  test('a bisidder records a meeting as held and writes a private note', async ({ page, axe }) => {
    test.setTimeout(180_000);
    await page.setViewportSize(PHONE);
    await signIn(page, axe, BISIDDER, 'bisidder');
    caseUrl = await openCaseWithHeldMeeting(page, axe);
    await axe.check(page, 'case page with a meeting to record');

    const item = page
      .locator('[data-testid=case-appointments] > li')
      .filter({ has: page.locator('form.outcome-form') })
      .first();
    const form = item.locator('form.outcome-form');
    const kind = (await item.getAttribute('data-testid')).replace('appt-', '');
    await form.locator('input[name=hours]').fill('2,5');
    await form.locator('input[name=km]').fill('14');
    await submit(page, form.locator('[data-testid=mark-held]'));
    const held = page.locator(`[data-testid=appt-${kind}]`).first();
    await expect(held.locator('[data-testid=appt-status]')).toHaveText('afholdt');
    await expect(held.locator('[data-testid=appt-hours]')).toHaveText('2,5 timer, 14 km');
    await expect(page.locator('[data-testid=timeline]')).toContainText('Aftale afholdt');
    await axe.check(page, 'case page after recording the meeting');

    const note = `Barnet var glad bagefter ${randomLetters(5)}`;
    privateNote = note;
    await page.fill('#note-body', note);
    await submit(page, page.locator('[data-testid=save-note]'));
    await expect(page.locator('[data-testid=notes]')).toContainText(note);
    await expect(page.locator('[data-testid=notes]')).toContainText('privat');
    await expect(page.locator('[data-testid=timeline]')).toContainText(note);
    await expect(page).not.toHaveTitle(/Barnet/);
    await axe.check(page, 'case page with a note');

    await page.setViewportSize({ width: 320, height: 700 });
    await expectNoHorizontalScroll(page, 320, 'case page');
    await page.setViewportSize(PHONE);
  });

  test('the bisidder files an acute report of concern and opens its letter', async ({ page, axe }) => {
    test.setTimeout(180_000);
    await page.setViewportSize(PHONE);
    await signIn(page, axe, BISIDDER, 'bisidder (report)');
    await visit(page, axe, caseUrl, 'case page before the report');
    await submit(page, page.locator('[data-testid=new-report]'));
    await expect(page.locator('h1')).toHaveText('Ny underretning');
    await expect(page.locator('[data-testid=acute-help-form]')).toContainText('112');
    await axe.check(page, 'report form');

    // Nothing filled in: every problem is named, nothing is stored.
    await page.fill('#child_name', '');
    await submit(page, page.locator('[data-testid=file-report]'));
    await expect(page.locator('[role=alert]')).toContainText('Vælg mindst én kategori');
    await axe.check(page, 'report form with errors');

    const description = `Barnet fortalte om uro derhjemme ${randomLetters(5)}`;
    await page.fill('#child_name', 'Demo Barn');
    await page.fill('#child_birth_date', '2012-03-01');
    await page.fill('#cpr', '010312-4001');
    await page.selectOption('#kommune', '0101');
    await tick(page, 'cat-konflikt_i_hjemmet');
    await tick(page, 'cat-mistrivsel');
    await page.fill('#description', description);
    await tick(page, 'acute');
    await submit(page, page.locator('[data-testid=file-report]'));

    await expect(page).toHaveURL(/\/reports\/[^/]+$/);
    const acute = page.locator('[data-testid=acute-help]');
    await expect(acute).toContainText('112');
    await expect(acute).toContainText('København');
    await expect(page.locator('[data-testid=report-description]')).toHaveText(description);
    await axe.check(page, 'acute report filed');

    await submit(page, page.locator('[data-testid=mark-sent]'));
    await expect(page.locator('[data-testid=report-status]')).toContainText('Sendt');
    await expect(page.locator('[data-testid=ack-due]')).toHaveText(/^\d{4}-\d{2}-\d{2}$/);
    await axe.check(page, 'report sent');

    await submit(page, page.locator('[data-testid=letter]'));
    await expect(page.locator('h1')).toHaveText('Underretning');
    await expect(page.locator('[data-testid=letter-description]')).toHaveText(description);
    await axe.check(page, 'report letter');
    await page.emulateMedia({ media: 'print' });
    await expect(page.locator('.no-print')).toBeHidden();
    await page.emulateMedia({ media: 'screen' });

    await visit(page, axe, caseUrl, 'case page with the report');
    await expect(page.locator('[data-testid=reports]')).toContainText('Akut');
    await signOut(page, axe, 'bisidder (report)');
  });

  test('the coordinator does not read the private note; a senior consultant answers an inquiry', async ({ page, axe }) => {
    test.setTimeout(180_000);
    await page.setViewportSize(PHONE);
    await signIn(page, axe, COORDINATOR, 'coordinator (case)');
    await visit(page, axe, caseUrl, 'case page as coordinator');
    await expect(page.getByRole('heading', { name: 'Skift bisidder' })).toBeVisible();
    await expect(page.locator('main')).not.toContainText(privateNote);
    await signOut(page, axe, 'coordinator (case)');

    await signIn(page, axe, SENIOR, 'senior consultant');
    await visit(page, axe, '/cases', 'cases as senior consultant');
    await visit(page, axe, caseUrl, 'case page as senior consultant');
    await expect(page.locator('main [role=note]')).toContainText('praktiske oplysninger');
    await expect(page.locator('main')).not.toContainText(privateNote);
    await expect(page.locator('#notes')).toHaveCount(0);
    await page.selectOption('#inq-from', 'school');
    await page.fill('#inq-question', 'Hvornår er næste møde?');
    await submit(page, page.getByRole('button', { name: 'Gem henvendelse' }));
    const inquiry = page.locator('[data-testid=inquiries] > li').last();
    await expect(inquiry).toContainText('Hvornår er næste møde?');
    await axe.check(page, 'case page with an inquiry');
    await inquiry.locator('textarea').fill('Det står i indkaldelsen.');
    await submit(page, inquiry.getByRole('button', { name: 'Gem svar' }));
    await expect(page.locator('[data-testid=inquiries] > li').last()).toContainText('Det står i indkaldelsen.');
    await expect(page.locator('[data-testid=timeline]')).toContainText('Netværkshenvendelse besvaret');
    await axe.check(page, 'case page with an answered inquiry');
    await signOut(page, axe, 'senior consultant');
  });
});
