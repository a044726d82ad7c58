// The lobby's variant picker: a select labelled "Variant" with the presets and "Custom size", whose
// four number fields (rows, columns, in a row, players) show only when it is chosen. Every valid
// choice goes to the app at once (it is remembered across reloads); an invalid custom size says
// what is allowed and keeps the game buttons disabled until it is fixed.
import { VARIANT_BOUNDS as B, type Variant } from '../../../shared/variant.js';
import { CUSTOM_ID, CUSTOM_RULE, parseCustom, presetOf, PRESETS, type CustomFields } from '../variants.js';
import { el, show, toggleClass } from './dom.js';

export class VariantPicker {
  readonly root: HTMLElement;
  private readonly select: HTMLSelectElement;
  private readonly custom: HTMLElement;
  private readonly hint = el('p', { class: 'hint', id: 'custom-hint' }, CUSTOM_RULE);
  private readonly fields: Record<keyof CustomFields, HTMLInputElement>;
  /** False while the custom size is not a valid variant. */
  valid = true;

  constructor(initial: Variant, private readonly onChoose: (v: Variant) => void, private readonly onValidity: () => void) {
    const preset = presetOf(initial);
    this.select = el('select', { id: 'variant' },
      ...PRESETS.map((p) => el('option', { value: p.id, selected: p === preset }, p.label)),
      el('option', { value: CUSTOM_ID, selected: !preset }, 'Custom size…'));
    const number = (key: keyof CustomFields, label: string, min: number, max: number) => {
      const input = el('input', { id: `custom-${key}`, type: 'number', inputmode: 'numeric', min: String(min), max: String(max), 'aria-describedby': 'custom-hint' });
      input.value = String(initial[key]);
      input.addEventListener('input', () => this.readCustom());
      return { input, node: el('div', { class: 'num' }, el('label', { for: input.id }, label), input) };
    };
    const rows = number('rows', 'Rows', B.minSide, B.maxSide);
    const cols = number('cols', 'Columns', B.minSide, B.maxSide);
    const k = number('k', 'In a row', B.minK, B.maxSide);
    const players = number('players', 'Players', B.minPlayers, B.maxPlayers);
    this.fields = { rows: rows.input, cols: cols.input, k: k.input, players: players.input };
    this.custom = el('fieldset', { class: 'custom' }, el('legend', {}, 'Custom size'),
      el('div', { class: 'nums' }, rows.node, cols.node, k.node, players.node), this.hint);
    this.select.addEventListener('change', () => this.onSelect());
    this.root = el('div', { class: 'field' }, el('label', { for: 'variant' }, 'Variant'), this.select, this.custom);
    show(this.custom, !preset);
  }

  private onSelect(): void {
    const preset = PRESETS.find((p) => p.id === this.select.value);
    show(this.custom, !preset);
    if (!preset) { this.readCustom(); return; }
    for (const key of Object.keys(this.fields) as (keyof CustomFields)[]) this.fields[key].value = String(preset.variant[key]);
    this.setValid(true);
    this.onChoose(preset.variant);
  }

  private readCustom(): void {
    const f = this.fields;
    const r = parseCustom({ rows: f.rows.value, cols: f.cols.value, k: f.k.value, players: f.players.value });
    this.setValid(r.ok);
    if (r.ok) this.onChoose(r.variant);
  }

  private setValid(ok: boolean): void {
    toggleClass(this.custom, 'invalid', !ok);
    for (const input of Object.values(this.fields)) input.setAttribute('aria-invalid', String(!ok));
    if (this.valid === ok) return;
    this.valid = ok;
    this.onValidity();
  }
}
