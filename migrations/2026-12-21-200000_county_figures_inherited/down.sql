DROP POLICY county_figures_inherited ON county_figures;
