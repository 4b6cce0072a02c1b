// The reference field takes what a barcode or QR scanner "types": the
// reference, then Enter. With a Chinese input method on, the scanner's
// letters go into a composition first; the Enter that commits it must not
// submit the half-typed text, and no second Enter follows, so the committed
// text is submitted when the composition ends. Typing by hand works the
// same way. What is sent is what was typed: Rust folds full-width forms and
// drops spaces and hyphens.

/** What the field needs of a keydown event. */
export type ScanKey = { key: string; isComposing: boolean; keyCode?: number };

export class ScanInput {
  private composing = false;
  private enterWhileComposing = false;
  // Engines that end the composition before the Enter's keydown (WebKit)
  // still mark that keydown as the input method's (keyCode 229).
  private firedOnCompositionEnd = false;

  constructor(private readonly submit: (text: string) => void) {}

  get isComposing(): boolean {
    return this.composing;
  }

  compositionStart(): void {
    this.composing = true;
    this.enterWhileComposing = false;
    this.firedOnCompositionEnd = false;
  }

  /** The composition ended with `value` in the field (the committed text). */
  compositionEnd(value: string): void {
    this.composing = false;
    if (this.enterWhileComposing) {
      this.enterWhileComposing = false;
      this.firedOnCompositionEnd = this.fire(value);
    }
  }

  /** A keydown in the field with `value` in it; true when it was taken
   * (the caller prevents the default, so no form submits twice). An Enter
   * inside a composition is the input method's: not taken, remembered. */
  keyDown(k: ScanKey, value: string): boolean {
    if (k.key !== "Enter") {
      this.firedOnCompositionEnd = false;
      return false;
    }
    if (this.composing || k.isComposing) {
      // The input method's own Enter: it commits the composition (left
      // to the input method; nothing submits until it has).
      this.enterWhileComposing = true;
      return false;
    }
    if (this.firedOnCompositionEnd && k.keyCode === 229) {
      // The committing Enter arriving after the composition ended: it was
      // submitted already.
      this.firedOnCompositionEnd = false;
      return true;
    }
    this.firedOnCompositionEnd = false;
    this.fire(value);
    return true;
  }

  private fire(value: string): boolean {
    if (value.trim() === "") return false;
    this.submit(value);
    return true;
  }
}
