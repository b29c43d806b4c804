-- The inbox offers a city or province user the filings of the last year they have not
-- acknowledged (seed 1: 逐级报市、省备案): filed lists of a region range by filing time.
-- `exit_lists_waiting` leaves filed lists out; without this, a province's inbox read every list
-- of the province.
CREATE INDEX exit_lists_filed ON exit_lists (region_code, filed_at) WHERE stage = 'filed';
