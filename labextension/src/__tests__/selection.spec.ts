import {
  clear,
  click,
  EMPTY,
  IKey,
  IList,
  ISelection,
  move,
  onKey,
  prune,
  selectAll,
  selectedInOrder,
  toggle
} from '../selection';

/** Five jobs shown top to bottom; `bad` is an invalid name (disabled). */
const LIST: IList = {
  names: ['a', 'b', 'bad', 'c', 'd'],
  disabled: new Set(['bad'])
};
/** Another list: an expanded tuning job's children (`c` is listed in both). */
const CHILDREN: IList = { names: ['h1', 'h2', 'c'] };

const state = (
  selected: string[],
  anchor: string | null = null,
  focus: string | null = null
): ISelection => ({ selected, anchor, focus });

/** The state after a sequence of key presses on the focused job of `list`. */
function press(start: ISelection, list: IList, ...keys: IKey[]) {
  let now = start;
  const actions: string[] = [];
  for (const key of keys) {
    const result = onKey(now, list, now.focus ?? list.names[0], key);
    if (result) {
      now = result.state;
      actions.push(result.action);
    } else {
      actions.push('ignored');
    }
  }
  return { state: now, actions };
}

describe('click', () => {
  it('alone selects just that job, anchored and focused there', () => {
    const next = click(state(['a', 'c'], 'a', 'a'), LIST, 'b');
    expect(next).toEqual(state(['b'], 'b', 'b'));
  });

  it('with Ctrl/Cmd adds a job, and removes it again', () => {
    let now = click(EMPTY, LIST, 'a');
    now = click(now, LIST, 'c', { toggle: true });
    expect(now.selected).toEqual(['a', 'c']);
    now = click(now, LIST, 'a', { toggle: true });
    expect(now).toEqual(state(['c'], 'a', 'a'));
  });

  it('with Shift selects the range from the anchor, in either direction', () => {
    let now = click(EMPTY, LIST, 'b');
    now = click(now, LIST, 'd', { shift: true });
    expect(now.selected).toEqual(['b', 'c', 'd']); // `bad` in between is skipped
    expect(now.anchor).toBe('b');
    // a second shift-click spans again from the same anchor, replacing the range
    now = click(now, LIST, 'a', { shift: true });
    expect(now.selected).toEqual(['a', 'b']);
    expect(now.focus).toBe('a');
  });

  it('with Ctrl+Shift adds the range to what was selected', () => {
    let now = click(EMPTY, LIST, 'a');
    now = click(now, LIST, 'c', { toggle: true }); // anchor c
    now = click(now, LIST, 'd', { shift: true, toggle: true });
    expect(now.selected).toEqual(['a', 'c', 'd']);
  });

  it('with Shift and no anchor in this list selects just the job', () => {
    const fromOtherList = click(EMPTY, CHILDREN, 'h1');
    const now = click(fromOtherList, LIST, 'd', { shift: true });
    expect(now).toEqual(state(['d'], 'd', 'd'));
  });

  it('never selects a disabled job, nor a job not in the list', () => {
    expect(click(EMPTY, LIST, 'bad')).toEqual(state([], null, 'bad'));
    expect(click(EMPTY, LIST, 'bad', { toggle: true }).selected).toEqual([]);
    expect(click(EMPTY, LIST, 'zzz')).toBe(EMPTY);
  });
});

describe('keys', () => {
  const down: IKey = { key: 'ArrowDown' };
  const up: IKey = { key: 'ArrowUp' };
  const shiftDown: IKey = { key: 'ArrowDown', shiftKey: true };
  const space: IKey = { key: ' ' };

  it('arrows move the focus without selecting, stopping at the ends', () => {
    const { state: now } = press(state([], null, 'a'), LIST, down, down, down);
    expect(now).toEqual(state([], null, 'c'));
    expect(press(now, LIST, down, down, down).state.focus).toBe('d');
    expect(press(now, LIST, up, up, up, up, up).state.focus).toBe('a');
    expect(press(now, LIST, { key: 'Home' }).state.focus).toBe('a');
    expect(press(now, LIST, { key: 'End' }).state.focus).toBe('d');
  });

  it('the keyboard reaches a disabled job (and its reason) but never selects it', () => {
    const { state: now } = press(state([], null, 'b'), LIST, down, space);
    expect(now.focus).toBe('bad');
    expect(now.selected).toEqual([]);
  });

  it('Shift+arrows extend the range from where the focus was', () => {
    const { state: now } = press(
      state([], null, 'a'),
      LIST,
      shiftDown,
      shiftDown
    );
    expect(now.selected).toEqual(['a', 'b']); // a, b, bad: bad skipped
    expect(now.anchor).toBe('a');
    const back = press(now, LIST, { key: 'ArrowUp', shiftKey: true }).state;
    expect(back.selected).toEqual(['a', 'b']);
    expect(back.focus).toBe('b');
    const shrunk = press(back, LIST, { key: 'ArrowUp', shiftKey: true }).state;
    expect(shrunk.selected).toEqual(['a']);
  });

  it('Space toggles the focused job; arrows then Space build a selection', () => {
    const { state: now } = press(
      state([], null, 'a'),
      LIST,
      space,
      down,
      down,
      down,
      space
    );
    expect(now.selected).toEqual(['a', 'c']);
    expect(press(now, LIST, space).state.selected).toEqual(['a']);
  });

  it('Ctrl/Cmd+A selects every valid job of the list; Escape clears', () => {
    for (const key of [
      { key: 'a', ctrlKey: true },
      { key: 'A', metaKey: true }
    ]) {
      const { state: now } = press(state(['h1'], null, 'b'), LIST, key);
      expect(now.selected).toEqual(['h1', 'a', 'b', 'c', 'd']);
      const { state: cleared, actions } = press(now, LIST, { key: 'Escape' });
      expect(cleared).toEqual(state([], null, 'b'));
      expect(actions).toEqual(['none']);
    }
  });

  it('Enter opens the focused job, or compares when it is one of several selected', () => {
    expect(press(state([], null, 'b'), LIST, { key: 'Enter' }).actions).toEqual(
      ['open']
    );
    expect(
      press(state(['b'], 'b', 'b'), LIST, { key: 'Enter' }).actions
    ).toEqual(['open']);
    expect(
      press(state(['b', 'c'], 'b', 'c'), LIST, { key: 'Enter' }).actions
    ).toEqual(['compare']);
    // focus on an unselected job: that job opens
    expect(
      press(state(['b', 'c'], 'b', 'a'), LIST, { key: 'Enter' }).actions
    ).toEqual(['open']);
    expect(
      press(state([], null, 'bad'), LIST, { key: 'Enter' }).actions
    ).toEqual(['none']);
  });

  it('leaves other keys to the page (Tab, letters, Escape with nothing selected)', () => {
    for (const key of [
      { key: 'Tab' },
      { key: 'x' },
      { key: 'Escape' },
      { key: 'ArrowDown', altKey: true },
      { key: 'c', ctrlKey: true }
    ]) {
      expect(onKey(EMPTY, LIST, 'a', key)).toBeNull();
    }
  });
});

describe('toggle, move, selectAll, clear', () => {
  it('work on an empty list and on a focus outside the list', () => {
    const empty: IList = { names: [] };
    expect(move(EMPTY, empty, 1)).toBe(EMPTY);
    expect(move(state([], null, 'h1'), LIST, 1).focus).toBe('a');
    expect(move(state([], null, 'h1'), LIST, -1).focus).toBe('d');
    expect(toggle(EMPTY, LIST, 'nope')).toBe(EMPTY);
    expect(selectAll(EMPTY, empty).selected).toEqual([]);
    expect(clear(state(['a'], 'a', 'a'))).toEqual(state([], null, 'a'));
  });
});

describe('prune', () => {
  it('keeps the jobs still listed and drops the ones that went', () => {
    const before = state(['a', 'c', 'h2'], 'h2', 'h2');
    const after = prune(before, [{ names: ['c', 'a', 'new'] }]);
    expect(after).toEqual(state(['a', 'c'], null, null));
  });

  it('drops a job whose name became invalid; keeps the focus on it', () => {
    const before = state(['a', 'b'], 'b', 'b');
    const after = prune(before, [
      { names: ['a', 'b'], disabled: new Set(['b']) }
    ]);
    expect(after).toEqual(state(['a'], null, 'b'));
  });

  it('returns the same state when nothing went (no redraw)', () => {
    const before = state(['a', 'h1'], 'a', 'a');
    expect(prune(before, [CHILDREN, LIST])).toBe(before);
  });
});

describe('selectedInOrder', () => {
  it('lists the selection in the order shown, a job listed twice once', () => {
    const chosen = state(['d', 'c', 'h1', 'a']);
    expect(selectedInOrder(chosen, [CHILDREN, LIST])).toEqual([
      'h1',
      'c',
      'a',
      'd'
    ]);
  });
});
