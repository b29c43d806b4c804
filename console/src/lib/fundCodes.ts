// The codes the funds forms offer, checked against the contract (a code the API drops fails the
// type check); their Chinese labels come from GET /vocabularies (lib/vocab.ts).
import type { Schemas } from "../api/client";

export const PURPOSES = [
  "infrastructure", "industry", "employment", "education", "health", "housing", "relocation", "ecology", "collective_economy", "other",
] as const satisfies readonly Schemas["FundBody"]["purpose"][];
export const LEVELS = ["central", "province", "city", "county"] as const satisfies readonly Schemas["FundBody"]["level"][];
export const INCIDENTS = [
  "fire", "illegal_logging", "unreported_pests", "poor_patrol_loss", "unstopped_violation", "absence_major_loss", "prohibited_logging",
  "prohibited_grazing", "prohibited_clearing", "prohibited_building", "prohibited_hunting",
] as const satisfies readonly Schemas["IncidentBody"]["kind"][];
export type Purpose = (typeof PURPOSES)[number];
