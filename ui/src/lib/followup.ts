// Which follow-up lists a counter shows, and how a list's failure reads.
// The service decides who may see a list (a supervisor's lists answer
// `auth.forbidden` to anybody else); this only keeps the page to the lists
// that apply, so a clerk is not shown a list they cannot have.
import type { CounterSiteType, StaffRole } from "./bindings";
import { keepsFollowUp } from "./newborn";

/** A follow-up list: newborns awaiting a birth certificate, applications
 * about to expire, children turning 16 whose record an SDM keeps. */
export type FollowUpList = "newborns" | "expiring" | "turning_16";

/** The lists for this counter's site and the signed-in staff member's
 * role, in the order the page shows them: the newborn list at a birth
 * hospital and the Registration Office, the supervisors' two anywhere. */
export function followUpLists(
  siteType: CounterSiteType | null | undefined,
  role: StaffRole | null | undefined,
): FollowUpList[] {
  const lists: FollowUpList[] = [];
  if (keepsFollowUp(siteType)) lists.push("newborns");
  if (role === "supervisor") lists.push("expiring", "turning_16");
  return lists;
}

/** Whether a list failed because the central service could not be
 * reached (the lists are asked of it each time: none is kept here). */
export function needsCentral(code: string): boolean {
  return code.startsWith("central.");
}
