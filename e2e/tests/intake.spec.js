// Intake journeys across several demo users, against the app started with
// `bisidder demo --require-totp` (scripts/test.sh):
//  1. a caseworker books a bisidder for an unannounced conversation; the coordinator
//     books a bisidder on standby, the child says no and the booking is released;
//  2. a child asks for a bisidder on the public form; the coordinator logs the child's
//     consent and offers the request; the bisidder accepts on a phone and gets the three
//     appointments; the coordinator sees the request staffed.
// The journeys share one app and the demo users' TOTP enrolments (journey-helpers.js),
// so they run in order.
const { test, expect } = require('./fixtures');
const {
  DESKTOP,
  ORG_NAME,
  PHONE,
  expectNoHorizontalScroll,
  formWith,
  randomLetters,
  signIn,
  signOut,
  submit,
  visit,
  weekdayAtLeast,
} = require('./journey-helpers');

const COORDINATOR = 'koordinator@demo.bisidder.dk';
const CASEWORKER = 'sagsbehandler@demo.bisidder.dk';

/**
 * Ticks a checkbox or radio button by clicking its label, as a person does: the design
 * system draws its own boxes and hides the native inputs.
 */
async function tick(scope, id) {
  await scope.locator(`label[for=${id}]`).click();
  await expect(scope.locator(`#${id}`)).toBeChecked();
}

/** The queue's row for the request with this (unique) first name, and its link. */
function queueRow(page, firstName) {
  const link = page.getByRole('link', { name: firstName, exact: true });
  return { row: page.locator('[data-testid=queue] tbody tr').filter({ has: link }), link };
}

test.describe.serial('intake journeys', () => {
  test.use({ actionTimeout: 15_000 });

  test('a caseworker books a bisidder for an unannounced conversation, and the child says no', async ({
    page,
    axe,
  }) => {
    test.setTimeout(240_000);
    const firstName = `Noah${randomLetters(4)}`;
    const meetingDate = weekdayAtLeast(1);

    await test.step('the caseworker books a bisidder on standby', async () => {
      await page.setViewportSize(DESKTOP);
      await signIn(page, axe, CASEWORKER, 'caseworker');
      await visit(page, axe, '/requests/new', 'caseworker request form');
      await expect(page.locator('h1')).toHaveText('Bed om en bisidder');

      const protocol = page.locator('details.protocol');
      await expect(protocol.locator('summary')).toHaveText('Sådan foregår en uanmeldt samtale med bisidder');
      await expect(protocol.locator('ol')).toBeHidden();
      await protocol.locator('summary').click();
      await expect(protocol).toHaveAttribute('open', '');
      await expect(protocol.locator('li')).toHaveCount(6);
      await expect(protocol.locator('li').last()).toBeVisible();
      await expect(protocol.locator('li').last()).toContainText('bookingen frigivet');
      await axe.check(page, 'caseworker request form, protocol open');

      await page.fill('#contact_name', 'Sara Sagsbehandler');
      await page.fill('#contact_phone', '33445566');
      await page.fill('#first_name', firstName);
      await page.fill('#age', '10');
      await page.selectOption('#authority', 'kommune');
      await page.fill('#meeting_date', meetingDate);
      await page.fill('#meeting_time', '13:00');
      await page.fill('#place_text', 'Skolen');
      await page.fill('#postcode', '5000');
      await tick(page, 'unannounced');
      await submit(page, page.locator('main form button[type=submit]').last());

      await expect(page).toHaveURL(/\/requests$/);
      await expect(page.locator('h1')).toHaveText('Mine bestillinger');
      const row = page.locator('[data-testid=my-requests] tbody tr').filter({ hasText: firstName });
      await expect(row).toHaveCount(1);
      await expect(row.locator('td').nth(0)).toHaveText(/^H-\S+$/);
      await expect(row.locator('td').nth(2)).toHaveText(`${meetingDate} 13:00`);
      await expect(row.locator('td').nth(3)).toHaveText('Ny');
      await axe.check(page, 'my requests');
      await signOut(page, axe, 'caseworker');
    });

    await test.step('the coordinator books a bisidder, the child says no, the booking is released', async () => {
      await signIn(page, axe, COORDINATOR, 'coordinator');
      await visit(page, axe, '/intake', 'intake queue');
      const { row, link } = queueRow(page, firstName);
      await expect(row).toHaveCount(1);
      await expect(row).toContainText('Uanmeldt');
      await submit(page, row.locator(link));
      await expect(page).toHaveURL(/\/intake\/[^/]+$/);
      await expect(page.locator('[data-testid=status]')).toHaveText('Ny');
      await expect(page.locator('main')).toContainText('Skolen');
      await axe.check(page, 'unannounced request, new');

      const first = page.locator('[data-testid=candidates] > li').first();
      const assign = first.locator('[data-testid=assign]');
      const bisidderName = (await first.locator('strong').first().innerText()).trim();
      await expect(assign).toHaveText(`Tildel ${bisidderName}`);
      await submit(page, assign);

      await expect(page.locator('[data-testid=status]')).toHaveText('Bisidder fundet');
      await expect(page.locator('[data-testid=assigned-bisidder]')).toHaveText(bisidderName);
      await expect(page.getByRole('heading', { name: 'Uanmeldt samtale: hvad sagde barnet?' })).toBeVisible();
      await expect(page.locator('[data-testid=appointments] > li')).not.toHaveCount(0);
      await expect(page.locator('[data-testid=appointments]')).not.toContainText('aflyst');
      await axe.check(page, 'unannounced request, standby booked');

      await submit(page, page.locator('[data-testid=standby-no]'));
      await expect(page.locator('[data-testid=status]')).toHaveText('Sagde nej tak');
      await expect(page.locator('[data-testid=timeline]')).toContainText('bookingen er frigivet');
      await expect(page.getByRole('heading', { name: 'Uanmeldt samtale: hvad sagde barnet?' })).toHaveCount(0);
      // Released: the standby appointments are all cancelled ("aflyst").
      const released = page.locator('[data-testid=appointments] > li');
      await expect(released).not.toHaveCount(0);
      for (const appointment of await released.all()) await expect(appointment).toContainText('(aflyst)');
      await axe.check(page, 'unannounced request, child said no');
      await signOut(page, axe, 'coordinator');
    });
  });

  test('a child asks for a bisidder, says yes, and a bisidder accepts the offer', async ({ page, axe }) => {
    test.setTimeout(240_000);
    const firstName = `Ida${randomLetters(4)}`;
    const meetingDate = weekdayAtLeast(2);
    let requestUrl;
    let bisidderName;
    let bisidderEmail;

    await test.step('the child fills in the public form on a phone', async () => {
      await page.setViewportSize(PHONE);
      await visit(page, axe, '/anmod', 'choose a scheme');
      await expect(page.locator('h1')).toHaveText('Få en bisidder');
      const scheme = page.locator('main li').filter({ has: page.getByRole('heading', { name: ORG_NAME, exact: true }) });
      const link = scheme.getByRole('link', { name: 'Jeg vil gerne have en bisidder', exact: true });
      await expect(link).toHaveAttribute('href', '/o/demo-bv/anmod?for=self');
      await submit(page, link);
      await expect(page).toHaveURL(/\/o\/demo-bv\/anmod\?for=self$/);
      await expect(page.locator('h1')).toHaveText('Bed om en bisidder');
      await axe.check(page, 'public request form');

      await page.setViewportSize({ width: 320, height: 640 });
      await expectNoHorizontalScroll(page, 320, 'public request form');
      await page.setViewportSize(PHONE);

      await page.fill('#first_name', firstName);
      await page.fill('#age', '13');
      await page.selectOption('#gender', 'girl');
      await page.fill('#phone', '20304050');
      await tick(page, 'safe_sms');
      await page.fill('#safe_times', 'efter skole');
      await page.selectOption('#authority', 'kommune');
      await page.fill('#meeting_date', meetingDate);
      await page.fill('#meeting_time', '10:00');
      await page.fill('#postcode', '2100');
      await tick(page, 'consent_contact');
      await submit(page, page.locator('main form button[type=submit]'));

      await expect(page.locator('h1')).toHaveText('Tak. Vi har fået din henvendelse');
      await expect(page.locator('[data-testid=request-ref]')).toHaveText(/^H-\S+$/);
      await axe.check(page, 'receipt');
    });

    await test.step('the coordinator logs the consent and offers the request', async () => {
      await page.setViewportSize(DESKTOP);
      await signIn(page, axe, COORDINATOR, 'coordinator, second sign-in');
      await visit(page, axe, '/intake', 'intake queue');
      const { row, link } = queueRow(page, firstName);
      await expect(row).toHaveCount(1);
      await expect(row).toContainText('13 år');
      await expect(row).toContainText('Ny');
      await expect(row).toContainText(`${meetingDate} 10:00`);
      await expect(row).toContainText('København');
      await submit(page, row.locator(link));
      await expect(page).toHaveURL(/\/intake\/[^/]+$/);
      requestUrl = new URL(page.url()).pathname;
      await expect(page.locator('[data-testid=status]')).toHaveText('Ny');
      await expect(page.locator('[data-testid=first-name]')).toHaveText(firstName);
      await axe.check(page, 'request, new');

      const consent = formWith(page, 'spoke_with_person');
      await tick(consent, 'spoke_with_person');
      await consent.locator('#method').selectOption('phone');
      await tick(consent, 'answer_yes');
      await submit(page, consent.locator('[data-testid=save-consent]'));
      await expect(page).toHaveURL(new RegExp(`${requestUrl}$`));
      await expect(page.locator('[data-testid=status]')).toHaveText('Samtykke givet');
      await expect(page.locator('[data-testid=timeline]')).toContainText('Personen sagde ja');
      const candidates = page.locator('[data-testid=candidates]');
      await expect(candidates).toBeVisible();
      await expect(candidates.locator(':scope > li').first()).toContainText(/\d+ min transport/);
      await expect(candidates.locator('ul.reasons li').first()).not.toHaveText(/reason\./);
      await axe.check(page, 'request, consent given');

      await submit(page, page.locator('[data-testid=offer-sequential]'));
      await expect(page.locator('[data-testid=status]')).toHaveText('Tilbudt');
      const offers = page.locator('[data-testid=offers]');
      await expect(offers.locator('li').first()).toContainText('Afventer svar');
      bisidderName = (await offers.locator('[data-testid=offer-bisidder]').first().innerText()).trim();
      expect(bisidderName, 'the offered bisidder has a name').not.toBe('');
      await expect(page.locator('[data-testid=timeline]')).toContainText('Tilbudt til bisiddere');
      await axe.check(page, 'request, offered');

      await visit(page, axe, '/org/users', 'staff list');
      const staffRow = page.locator('main tbody tr').filter({
        has: page.getByRole('cell', { name: bisidderName, exact: true }),
      });
      await expect(staffRow, `one staff row for ${bisidderName}`).toHaveCount(1);
      bisidderEmail = (await staffRow.locator('td').nth(1).innerText()).trim();
      expect(bisidderEmail).toMatch(/^bisidder\d+@demo\.bisidder\.dk$/);
      await signOut(page, axe, 'coordinator');
    });

    await test.step('the bisidder accepts the offer on a phone and gets three appointments', async () => {
      await page.setViewportSize(PHONE);
      await signIn(page, axe, bisidderEmail, 'bisidder');
      await visit(page, axe, '/me/offers', 'my offers');
      await expect(page.locator('h1')).toHaveText('Tilbud til dig');
      const offer = page.locator('[data-testid=offers] li.offer').filter({ hasText: firstName });
      await expect(offer).toHaveCount(1);
      await expect(offer).toContainText(`${meetingDate} 10:00`);
      await expect(offer).toContainText('Kommunen');
      await submit(page, offer.locator('[data-testid=accept]'));

      await expect(page).toHaveURL(/\/me\/calendar$/);
      await expect(page.locator('h1')).toHaveText('Min kalender');
      const calendar = page.locator('[data-testid=calendar]');
      await expect(calendar).toBeVisible();
      // The three planned appointments for this meeting (the bisidder may have others,
      // such as a released standby booking, shown as "aflyst").
      const entry = (kind) =>
        calendar
          .locator(':scope > li')
          .filter({ hasText: new RegExp(`\\b${kind}\\b`) })
          .filter({ hasText: meetingDate })
          .filter({ hasNotText: 'aflyst' });
      await expect(entry('Formøde')).toHaveCount(1);
      await expect(entry('Møde')).toHaveCount(1);
      await expect(entry('Møde')).toContainText(`${meetingDate} 10:00`);
      await expect(entry('Eftermøde')).toHaveCount(1);
      await axe.check(page, 'my calendar');
      await signOut(page, axe, 'bisidder');
    });

    await test.step('the coordinator sees the bisidder and the appointments', async () => {
      await page.setViewportSize(DESKTOP);
      await signIn(page, axe, COORDINATOR, 'coordinator, third sign-in');
      await visit(page, axe, requestUrl, 'request, assigned');
      await expect(page.locator('[data-testid=status]')).toHaveText('Bisidder fundet');
      await expect(page.locator('[data-testid=assigned-bisidder]')).toHaveText(bisidderName);
      await expect(page.locator('[data-testid=offers] li').first()).toContainText('Accepteret');
      const appointments = page.locator('[data-testid=appointments] > li');
      await expect(appointments).toHaveCount(3);
      await expect(appointments.nth(0)).toContainText('Formøde');
      await expect(appointments.nth(1)).toContainText(`Møde: ${meetingDate} 10:00`);
      await expect(appointments.nth(2)).toContainText('Eftermøde');
      await expect(page.locator('[data-testid=timeline]')).toContainText('Bisidder tildelt');
      await signOut(page, axe, 'coordinator');
    });
  });
});
