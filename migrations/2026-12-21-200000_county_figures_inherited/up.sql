-- A key village's targets compare its income with the county's per-capita figure, a row of the
-- county (region_code = the county). Township and village users could not read it, so the same
-- key village read by its village clerk showed `no_data` where the county saw `met`, and ranked
-- differently (review, 2026-12-07). The figure is the county's published statistic: readable from
-- any unit inside the county, as campaigns are; writes stay the county's.
CREATE POLICY county_figures_inherited ON county_figures FOR SELECT
  USING (region_code <= (SELECT zx_scope_lo()) AND zx_subtree_hi(region_code) >= (SELECT zx_scope_hi()));
