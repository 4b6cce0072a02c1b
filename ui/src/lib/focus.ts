// Keyboard first: the first field of each screen takes the focus when the
// screen appears (an action, not the autofocus attribute, so it also works
// when a screen is shown again without a page load).
export function initialFocus(node: HTMLElement): void {
  queueMicrotask(() => node.focus());
}
