/**
 * Which jobs of the sidebar are selected, as plain data and pure functions (no DOM), so
 * that every click and key can be unit tested.
 *
 * Jobs are known by name: a name is what a `%metrics --compare` cell needs, and it stays
 * the same across refreshes (a row element does not). Each function takes one list as
 * shown ({@link IList}: the training jobs, or one tuning job's children) and returns a new
 * state; the state itself spans every list, so jobs chosen in two lists are compared
 * together. A disabled name (one SageMaker would refuse) takes the focus, so the keyboard
 * reaches it and its reason, but is never selected.
 */

/** The selection: the chosen names, the anchor of ranges and the focused name. */
export interface ISelection {
  /** The selected job names, in the order they were chosen. */
  readonly selected: readonly string[];
  /** Where a shift-click or shift+arrow range starts (the last plain or toggling pick). */
  readonly anchor: string | null;
  /** The job that has (or last had) the keyboard focus. */
  readonly focus: string | null;
}

/** How a row was clicked. */
export interface IClickModifiers {
  /** Shift: a range from the anchor. */
  shift?: boolean;
  /** Ctrl (Cmd on macOS): add or remove one job, or add the range to the selection. */
  toggle?: boolean;
}

/** One list as shown: its names top to bottom, and those that cannot be selected. */
export interface IList {
  readonly names: readonly string[];
  readonly disabled?: ReadonlySet<string>;
}

/** The names of `list` that can be selected. */
export function selectable(list: IList): string[] {
  const disabled = list.disabled;
  return disabled
    ? list.names.filter(name => !disabled.has(name))
    : [...list.names];
}

/** Nothing selected. */
export const EMPTY: ISelection = { selected: [], anchor: null, focus: null };

/**
 * The selectable names from `a` to `b` (both included) in `list`, or just `b` when `a`
 * is not in it.
 */
function range(list: IList, a: string | null, b: string): string[] {
  const order = list.names;
  const end = order.indexOf(b);
  const start = a === null ? -1 : order.indexOf(a);
  if (end < 0) {
    return [];
  }
  const span =
    start < 0
      ? [b]
      : order.slice(Math.min(start, end), Math.max(start, end) + 1);
  return selectable({ names: span, disabled: list.disabled });
}

/** `names` without repeats, first appearance kept. */
function unique(names: Iterable<string>): string[] {
  return [...new Set(names)];
}

/** Whether `name` is selected. */
export function isSelected(state: ISelection, name: string): boolean {
  return state.selected.includes(name);
}

/**
 * A click on `name`: alone it selects just that job; with `toggle` it adds or removes
 * it; with `shift` it selects the range from the anchor (replacing the selection, or
 * added to it with `toggle` too), as Lab's file browser and most desktop lists do.
 */
export function click(
  state: ISelection,
  list: IList,
  name: string,
  modifiers: IClickModifiers = {}
): ISelection {
  if (!list.names.includes(name)) {
    return state;
  }
  if (modifiers.shift) {
    const span = range(list, state.anchor, name);
    const selected = modifiers.toggle
      ? unique([...state.selected, ...span])
      : span;
    // the anchor stays, so that a second shift-click re-spans from the same start
    const anchor = list.names.includes(state.anchor ?? '')
      ? state.anchor
      : name;
    return { selected, anchor, focus: name };
  }
  if (modifiers.toggle) {
    return toggle(state, list, name);
  }
  if (list.disabled?.has(name)) {
    return { ...state, focus: name };
  }
  return { selected: [name], anchor: name, focus: name };
}

/**
 * Add or remove `name` (Space, Ctrl/Cmd-click); it becomes the anchor and the focus.
 * A disabled name only takes the focus.
 */
export function toggle(
  state: ISelection,
  list: IList,
  name: string
): ISelection {
  if (!list.names.includes(name)) {
    return state;
  }
  if (list.disabled?.has(name)) {
    return { ...state, focus: name };
  }
  const selected = isSelected(state, name)
    ? state.selected.filter(item => item !== name)
    : [...state.selected, name];
  return { selected, anchor: name, focus: name };
}

/** Where a key moves the focus: one step, or to the first or last job. */
export type Step = 1 | -1 | 'first' | 'last';

/**
 * Move the focus one step (or to an end) in `list`; the selection stays unless
 * `extend` (shift+arrow), which selects the range from the anchor to the new focus.
 * From a focus outside the list, a step lands on the first job (the last for -1).
 */
export function move(
  state: ISelection,
  list: IList,
  step: Step,
  extend = false
): ISelection {
  const order = list.names;
  if (!order.length) {
    return state;
  }
  const at = state.focus === null ? -1 : order.indexOf(state.focus);
  let next: number;
  if (step === 'first') {
    next = 0;
  } else if (step === 'last') {
    next = order.length - 1;
  } else if (at < 0) {
    next = step === 1 ? 0 : order.length - 1;
  } else {
    next = Math.min(order.length - 1, Math.max(0, at + step));
  }
  const focus = order[next];
  if (!extend) {
    return { ...state, focus };
  }
  // the first shift+arrow anchors the range where the focus was
  const anchor =
    state.anchor !== null && order.includes(state.anchor)
      ? state.anchor
      : at >= 0
        ? order[at]
        : focus;
  return { selected: range(list, anchor, focus), anchor, focus };
}

/** Every selectable job of `list` (Ctrl/Cmd+A), added to what other lists selected. */
export function selectAll(state: ISelection, list: IList): ISelection {
  return {
    ...state,
    selected: unique([...state.selected, ...selectable(list)])
  };
}

/** Nothing selected (Escape); the focus stays where it is. */
export function clear(state: ISelection): ISelection {
  return { selected: [], anchor: null, focus: state.focus };
}

/**
 * The state after a refresh that shows `lists`: jobs no longer listed (or no longer
 * selectable) leave the selection; the anchor and focus are dropped when their job went.
 * Returns `state` itself when nothing changed (so that the caller can skip a redraw).
 */
export function prune(state: ISelection, lists: readonly IList[]): ISelection {
  const shown = new Set(lists.flatMap(list => list.names));
  const choosable = new Set(lists.flatMap(list => selectable(list)));
  const selected = state.selected.filter(name => choosable.has(name));
  const anchor =
    state.anchor !== null && choosable.has(state.anchor) ? state.anchor : null;
  const focus =
    state.focus !== null && shown.has(state.focus) ? state.focus : null;
  if (
    selected.length === state.selected.length &&
    anchor === state.anchor &&
    focus === state.focus
  ) {
    return state;
  }
  return { selected, anchor, focus };
}

/**
 * The selected jobs in the order shown: `lists` top to bottom; a job listed twice (a
 * tuning job's child is also a training job) counts once.
 */
export function selectedInOrder(
  state: ISelection,
  lists: readonly IList[]
): string[] {
  const chosen = new Set(state.selected);
  return unique(
    lists.flatMap(list => selectable(list)).filter(name => chosen.has(name))
  );
}

/** A key press as the list sees it (the fields of a `KeyboardEvent` it reads). */
export interface IKey {
  key: string;
  shiftKey?: boolean;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
}

/** What a key asks beyond a new selection: plot the focused job, or compare. */
export type KeyAction = 'none' | 'open' | 'compare';

/** The steps of the keys that move the focus. */
const STEPS: Record<string, Step> = {
  ArrowDown: 1,
  ArrowUp: -1,
  Home: 'first',
  End: 'last'
};

/**
 * The listbox keys (WAI-ARIA's multi-select listbox, as Lab's file browser has them),
 * pressed on `name` in `list`: arrows, Home and End move the focus (with Shift they
 * extend the selection from the anchor), Space toggles, Ctrl/Cmd+A selects the whole
 * list, Escape clears, Enter plots the focused job, or compares when it is one of two or
 * more selected jobs. Null for a key the list leaves alone (the caller lets it through).
 */
export function onKey(
  state: ISelection,
  list: IList,
  name: string,
  key: IKey
): { state: ISelection; action: KeyAction } | null {
  const here = { ...state, focus: name };
  const command = key.ctrlKey || key.metaKey;
  if (key.altKey) {
    return null;
  }
  if (key.key in STEPS && !command) {
    return {
      state: move(here, list, STEPS[key.key], !!key.shiftKey),
      action: 'none'
    };
  }
  if (key.key === ' ' && !command) {
    return { state: toggle(here, list, name), action: 'none' };
  }
  if (command && key.key.toLowerCase() === 'a' && !key.shiftKey) {
    return { state: selectAll(here, list), action: 'none' };
  }
  if (key.key === 'Escape' && state.selected.length) {
    return { state: clear(here), action: 'none' };
  }
  if (key.key === 'Enter' && !command && !key.shiftKey) {
    if (list.disabled?.has(name)) {
      return { state: here, action: 'none' };
    }
    const several = state.selected.length > 1 && isSelected(state, name);
    return { state: here, action: several ? 'compare' : 'open' };
  }
  return null;
}
