// The private providers a form gives sharing consent to, as the screens
// list them: the search of the register, its pick by Enter, and each
// provider's name on screen. Whether a consent may be given is Rust's.
import { pick } from "./i18n.svelte";
import { searchChoices } from "./needs";

/** A provider of the register (a `Choice`). */
export interface Provider {
  code: string;
  name_en: string;
  name_zh: string;
}

/** How many providers a search lists at a time. */
export const PROVIDERS_SHOWN = 30;

/** What a search of the register finds: `none`, the register has providers
 * and none matches the query; `found`, those that match, less `exclude`
 * (chosen already, or holding consent already). */
export function providerSearch<P extends Provider>(
  register: P[],
  query: string,
  exclude: readonly string[],
): { none: boolean; found: P[] } {
  const matches = searchChoices(register, query);
  return {
    none: register.length > 0 && matches.length === 0,
    found: matches.filter((p) => !exclude.includes(p.code)),
  };
}

/** The provider Enter in the search picks: the one it finds, when
 * something is typed; else none. */
export function onlyFound<P extends Provider>(query: string, found: P[]): P | undefined {
  return query.trim() !== "" && found.length === 1 ? found[0] : undefined;
}

/** A provider as a list names it: its name in the language on screen, and
 * its code. */
export function providerLabel(p: Provider): string {
  return `${pick(p.name_en, p.name_zh)} (${p.code})`;
}

/** The providers chosen (by code), as the register has them; one the
 * register lacks by its code alone. */
export function chosenProviders(ids: readonly string[], register: Provider[]): Provider[] {
  return ids.map((id) => register.find((p) => p.code === id) ?? { code: id, name_en: id, name_zh: id });
}

/** A provider's name on screen: from the register, else from the record's
 * consents; else its code alone. */
export function providerName(
  id: string,
  register: Provider[],
  listed: readonly { provider_id: string; name_en: string; name_zh: string }[],
): string {
  const p = register.find((c) => c.code === id) ?? listed.find((c) => c.provider_id === id);
  return p ? providerLabel({ code: id, name_en: p.name_en, name_zh: p.name_zh }) : id;
}
