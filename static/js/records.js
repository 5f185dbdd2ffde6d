// Records from the field forms, in the shape POST /api/v1/sync takes (DESIGN §6).
// The same fields the server reads when a form is posted without JavaScript (field/forms.py).

function text(form, name) {
  const field = form.elements.namedItem(name);
  const value = field && typeof field.value === 'string' ? field.value.trim() : '';
  return value === '' ? null : value;
}

function number(form, name) {
  const value = text(form, name);
  if (value === null) return null;
  const parsed = Number(value);
  // Anything that is not a plain number goes as typed: the server answers with a message.
  return Number.isFinite(parsed) && /^-?\d+(\.\d+)?$/.test(value) ? parsed : value;
}

function checked(form, name) {
  const field = form.elements.namedItem(name);
  return Boolean(field && field.checked);
}

function checkedValues(form, name) {
  return [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((input) => input.value);
}

function put(record, key, value) {
  if (value !== null && value !== undefined) record[key] = value;
}

/** The form's time as ISO 8601 with this phone's UTC offset. */
export function occurredAt(form) {
  const local = text(form, 'occurred_at');
  const when = local ? new Date(local) : new Date();
  if (Number.isNaN(when.getTime())) return local;
  const offset = -when.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const pad = (n) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  const date = `${when.getFullYear()}-${pad(when.getMonth() + 1)}-${pad(when.getDate())}`;
  const time = `${pad(when.getHours())}:${pad(when.getMinutes())}:00`;
  return `${date}T${time}${sign}${pad(offset / 60)}:${pad(offset % 60)}`;
}

export function contactFromForm(form) {
  const record = { id: text(form, 'id'), occurred_at: occurredAt(form) };
  for (const name of ['site', 'kind', 'client_code', 'gender', 'route', 'naloxone_refill_reason']) {
    put(record, name, name === 'kind' ? checkedValues(form, 'kind')[0] : text(form, name));
  }
  for (const name of ['people_count', 'on_behalf_of', 'birth_year', 'returned_syringes',
    'overdose_reversals']) {
    put(record, name, number(form, name));
  }
  record.returned_estimated = checked(form, 'returned_estimated');
  record.naloxone_trained = checked(form, 'naloxone_trained');
  record.flags = checkedValues(form, 'flags');
  record.substances = checkedValues(form, 'substances');
  record.items = [...form.querySelectorAll('input[name^="item."]')]
    .filter((input) => input.value.trim() !== '' && input.value.trim() !== '0')
    .map((input) => ({ code: input.name.slice(5), quantity: number(form, input.name) }));
  record.referrals = [...form.querySelectorAll('input[name^="referral."]:checked')]
    .map((input) => {
      const code = input.name.slice(9);
      return {
        id: input.dataset.referralId || crypto.randomUUID(),
        type: code,
        referred_to: text(form, `referred_to.${code}`) || '',
      };
    });
  return record;
}

export function incidentFromForm(form) {
  const record = { id: text(form, 'id'), occurred_at: occurredAt(form) };
  put(record, 'site', text(form, 'site'));
  put(record, 'kind', checkedValues(form, 'kind')[0]);
  put(record, 'outcome', checkedValues(form, 'outcome')[0]);
  put(record, 'client_code', text(form, 'client_code'));
  put(record, 'naloxone_doses', number(form, 'naloxone_doses'));
  for (const name of ['oxygen_given', 'rescue_breathing', 'ambulance_called']) {
    record[name] = checked(form, name);
  }
  return record;
}

export function referralUpdateFromForm(form) {
  return {
    id: text(form, 'id'),
    referral_id: text(form, 'referral_id'),
    status: text(form, 'status'),
    occurred_at: text(form, 'occurred_at') || occurredAt(form),
  };
}

/** A count or a bulk hand-out, from the field's stock page. */
export function stockMovementFromForm(form) {
  const record = { id: text(form, 'id'), occurred_at: occurredAt(form) };
  put(record, 'site', text(form, 'site'));
  put(record, 'item', text(form, 'item'));
  put(record, 'kind', checkedValues(form, 'kind')[0]);
  put(record, 'quantity', number(form, 'quantity'));
  put(record, 'lot', text(form, 'lot'));
  return record;
}

export const FROM_FORM = {
  contact: contactFromForm,
  incident: incidentFromForm,
  referral_update: referralUpdateFromForm,
  stock_movement: stockMovementFromForm,
};

function localValue(iso) {
  // "2026-10-31T23:30:00+01:00" shown as the phone's local "2026-10-31T23:30".
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return '';
  const local = new Date(when.getTime() - when.getTimezoneOffset() * 60000);
  return local.toISOString().slice(0, 16);
}

/** Put a record back into its form, to fix it after the server rejected it. */
export function fillForm(form, record) {
  form.reset();
  form.querySelectorAll('input[name^="item."]').forEach((input) => { input.value = ''; });
  const set = (name, value) => {
    const field = form.elements.namedItem(name);
    if (!field || value === null || value === undefined) return;
    if (field instanceof RadioNodeList || field.type === 'radio') {
      form.querySelectorAll(`input[name="${name}"]`).forEach((input) => {
        input.checked = input.value === String(value);
      });
    } else if (field.type === 'checkbox') {
      field.checked = Boolean(value);
    } else {
      field.value = String(value);
    }
  };
  for (const [key, value] of Object.entries(record)) {
    if (Array.isArray(value) || key === 'occurred_at') continue;
    set(key, value);
  }
  set('occurred_at', localValue(record.occurred_at));
  for (const name of ['flags', 'substances']) {
    form.querySelectorAll(`input[name="${name}"]`).forEach((input) => {
      input.checked = (record[name] || []).includes(input.value);
    });
  }
  for (const item of record.items || []) set(`item.${item.code}`, item.quantity);
  for (const referral of record.referrals || []) {
    const box = form.elements.namedItem(`referral.${referral.type}`);
    if (box) {
      box.checked = true;
      box.dataset.referralId = referral.id;
    }
    set(`referred_to.${referral.type}`, referral.referred_to);
  }
}
