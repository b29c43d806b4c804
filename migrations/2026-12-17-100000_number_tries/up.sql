-- A user's tries of full ID numbers of one masked form (searches, and the registered-anywhere
-- checks of registrations), for the daily limit of tries per form (security.md §16). Counted by
-- the actor, whatever region the rows were written at: a request's row-level-security scope
-- may be narrower than where the user's earlier tries were recorded (a permission granted below
-- the user's unit, a user moved since), and the limit must see them all. Returns each tag with
-- its time; nothing else of the rows.
CREATE FUNCTION zx_number_tries(p_actor uuid, p_masked text, p_since timestamptz)
  RETURNS TABLE (tag text, at timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $$
    SELECT l.details->>'tag', l.at
      FROM public.audit_log l
      JOIN public.audit_kinds k ON k.id = l.kind
     WHERE l.actor_id = p_actor
       AND l.at > p_since
       AND k.action IN ('member.search', 'member.id_check')
       AND l.details->>'id_number' = p_masked
       AND l.details ? 'tag'
  $$;
ALTER FUNCTION zx_number_tries(uuid, text, timestamptz) OWNER TO zhenxing_definer;
REVOKE ALL ON FUNCTION zx_number_tries(uuid, text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION zx_number_tries(uuid, text, timestamptz) TO zhenxing_app;

-- The same for the daily quotas counted per action (reveals, exports): how many times the actor
-- did the action since p_since, and the oldest time, wherever the rows were written.
CREATE FUNCTION zx_actor_actions(p_actor uuid, p_action text, p_since timestamptz)
  RETURNS TABLE (n bigint, oldest timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $$
    SELECT count(*), min(l.at)
      FROM public.audit_log l
      JOIN public.audit_kinds k ON k.id = l.kind
     WHERE l.actor_id = p_actor
       AND l.at > p_since
       AND k.action = p_action
  $$;
ALTER FUNCTION zx_actor_actions(uuid, text, timestamptz) OWNER TO zhenxing_definer;
REVOKE ALL ON FUNCTION zx_actor_actions(uuid, text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION zx_actor_actions(uuid, text, timestamptz) TO zhenxing_app;
