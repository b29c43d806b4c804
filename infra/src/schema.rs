//! Diesel table definitions, matching `migrations/` (kept by hand; the `schema_matches`
//! integration test compares them with the live catalog).

diesel::table! {
    regions (code) {
        code -> Int8,
        level -> Int2,
        name -> Text,
        parent_code -> Nullable<Int8>,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    roles (name) {
        name -> Text,
        min_level -> Int2,
        max_level -> Int2,
        description -> Text,
        label -> Text,
    }
}

diesel::table! {
    role_permissions (role, permission) {
        role -> Text,
        permission -> Text,
    }
}

diesel::table! {
    permissions (name) {
        name -> Text,
        description -> Text,
        label -> Text,
    }
}

diesel::table! {
    tenants (county_code) {
        county_code -> Int4,
        region_code -> Int8,
        name -> Text,
        created_at -> Timestamptz,
        created_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    users (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        region_code -> Int8,
        username -> Text,
        display_name -> Text,
        password_hash -> Text,
        disabled -> Bool,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        password_changed_at -> Timestamptz,
        must_change_password -> Bool,
        password_reset_by -> Nullable<Uuid>,
        password_reset_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    grant_requests (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        user_id -> Uuid,
        role -> Text,
        region_code -> Int8,
        requested_by -> Uuid,
        requested_at -> Timestamptz,
        status -> Text,
        decided_by -> Nullable<Uuid>,
        decided_at -> Nullable<Timestamptz>,
        reason -> Nullable<Text>,
        grant_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    role_grants (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        user_id -> Uuid,
        role -> Text,
        region_code -> Int8,
        granted_by -> Nullable<Uuid>,
        granted_at -> Timestamptz,
    }
}

diesel::table! {
    sessions (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        user_id -> Uuid,
        region_code -> Int8,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        revoke_reason -> Nullable<Text>,
    }
}

diesel::table! {
    refresh_tokens (county_code, token_hash) {
        county_code -> Int4,
        token_hash -> Bytea,
        session_id -> Uuid,
        region_code -> Int8,
        issued_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    settings (county_code, region_code) {
        county_code -> Int4,
        region_code -> Int8,
        overrides -> Jsonb,
        version -> Int4,
        updated_at -> Timestamptz,
        updated_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    audit_events (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        at -> Timestamptz,
        request_id -> Nullable<Text>,
        actor_id -> Nullable<Uuid>,
        actor_username -> Nullable<Text>,
        actor_roles -> Array<Text>,
        actor_org -> Nullable<Int8>,
        action -> Text,
        object_type -> Text,
        object_id -> Nullable<Text>,
        region_code -> Int8,
        reason -> Nullable<Text>,
        details -> Jsonb,
    }
}

diesel::table! {
    poverty_causes (code) {
        code -> Text,
        label -> Text,
        sort -> Int2,
    }
}

diesel::table! {
    households (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        region_code -> Int8,
        household_number -> Text,
        address -> Text,
        residence -> Text,
        attribute -> Text,
        poverty_causes -> Array<Text>,
        year_identified -> Int4,
        status -> Text,
        responsible_cadre -> Text,
        notes -> Text,
        head_name -> Text,
        member_count -> Int4,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        created_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    members (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        household_id -> Uuid,
        region_code -> Int8,
        name -> Text,
        id_cipher -> Bytea,
        id_key -> Int2,
        id_blind -> Bytea,
        id_masked -> Text,
        sex -> Text,
        birth_date -> Date,
        relationship -> Text,
        education -> Text,
        school_status -> Text,
        health -> Text,
        disability -> Text,
        labour_ability -> Text,
        medical_insurance -> Bool,
        pension -> Bool,
        phone -> Text,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    household_years (county_code, household_id, year) {
        county_code -> Int4,
        household_id -> Uuid,
        year -> Int4,
        region_code -> Int8,
        income_per_capita_fen -> Int8,
        wage_income_fen -> Int8,
        production_income_fen -> Int8,
        property_income_fen -> Int8,
        transfer_income_fen -> Int8,
        enough_food -> Bool,
        enough_clothing -> Bool,
        compulsory_education -> Bool,
        basic_medical -> Bool,
        safe_housing -> Bool,
        safe_drinking_water -> Bool,
        version -> Int4,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    assistance_measures (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        household_id -> Uuid,
        region_code -> Int8,
        kind -> Text,
        date -> Date,
        amount_fen -> Int8,
        responsible -> Text,
        description -> Text,
        created_at -> Timestamptz,
        created_by -> Nullable<Uuid>,
        term_months -> Nullable<Int4>,
        version -> Int4,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    household_events (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        household_id -> Uuid,
        region_code -> Int8,
        at -> Timestamptz,
        actor_id -> Nullable<Uuid>,
        actor_username -> Nullable<Text>,
        kind -> Text,
        reason -> Nullable<Text>,
        changes -> Jsonb,
        snapshot -> Jsonb,
    }
}

diesel::table! {
    idempotency_keys (county_code, user_id, key) {
        county_code -> Int4,
        user_id -> Uuid,
        key -> Text,
        region_code -> Int8,
        request_hash -> Bytea,
        response -> Jsonb,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    jobs (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        region_code -> Int8,
        kind -> Text,
        status -> Text,
        dry_run -> Bool,
        total_rows -> Int4,
        processed_rows -> Int4,
        error_rows -> Int4,
        summary -> Jsonb,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        finished_at -> Nullable<Timestamptz>,
        payload -> Nullable<Bytea>,
        attempts -> Int4,
        locked_by -> Nullable<Text>,
        lease_until -> Nullable<Timestamptz>,
        request_id -> Nullable<Text>,
        result -> Nullable<Bytea>,
        result_content_type -> Nullable<Text>,
        result_name -> Nullable<Text>,
        payload_key -> Nullable<Text>,
        cancel_requested_at -> Nullable<Timestamptz>,
        cancelled_by -> Nullable<Uuid>,
        result_key -> Nullable<Text>,
    }
}

diesel::table! {
    job_errors (county_code, job_id, seq) {
        county_code -> Int4,
        job_id -> Uuid,
        seq -> Int4,
        region_code -> Int8,
        row_number -> Int4,
        column_name -> Text,
        message -> Text,
        at -> Timestamptz,
        message_zh -> Nullable<Text>,
    }
}

diesel::table! {
    exit_lists (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        region_code -> Int8,
        year -> Int4,
        stage -> Text,
        villager_group -> Text,
        notice_started_at -> Nullable<Timestamptz>,
        notice_ends_at -> Nullable<Timestamptz>,
        version -> Int4,
        created_by -> Uuid,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        filed_at -> Nullable<Timestamptz>,
        notice_end_event_for -> Nullable<Timestamptz>,
        round_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    exit_rounds (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        region_code -> Int8,
        year -> Int4,
        created_by -> Uuid,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    exit_round_decisions (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        round_id -> Uuid,
        region_code -> Int8,
        step -> Text,
        actor_id -> Uuid,
        actor_username -> Text,
        taken_at -> Timestamptz,
        details -> Jsonb,
        attachments -> Jsonb,
    }
}

diesel::table! {
    exit_round_postings (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        round_id -> Uuid,
        region_code -> Int8,
        location -> Text,
        posted_on -> Date,
        last_day -> Date,
        ends_at -> Timestamptz,
        posted_by -> Uuid,
        posted_at -> Timestamptz,
        attachments -> Jsonb,
    }
}

diesel::table! {
    exit_entries (county_code, list_id, household_id) {
        county_code -> Int4,
        list_id -> Uuid,
        household_id -> Uuid,
        region_code -> Int8,
        year -> Int4,
        people -> Int4,
        income_per_capita_fen -> Int8,
        poverty_line_fen -> Int8,
        criteria -> Jsonb,
        votes_for -> Nullable<Int4>,
        votes_against -> Nullable<Int4>,
        votes_abstain -> Nullable<Int4>,
        removed -> Bool,
        removed_reason -> Nullable<Text>,
        removed_at -> Nullable<Timestamptz>,
        added_at -> Timestamptz,
        overturned_at -> Nullable<Timestamptz>,
        overturned_by_inspection -> Nullable<Uuid>,
    }
}

diesel::table! {
    exit_inspections (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        region_code -> Int8,
        scope_code -> Int8,
        year -> Int4,
        seed -> Text,
        size -> Int4,
        population -> Int4,
        created_by -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    exit_inspection_households (county_code, inspection_id, household_id) {
        county_code -> Int4,
        inspection_id -> Uuid,
        household_id -> Uuid,
        region_code -> Int8,
        rank -> Int4,
        list_id -> Uuid,
        visited_on -> Nullable<Date>,
        findings -> Nullable<Text>,
        outcome -> Nullable<Text>,
        reopened -> Bool,
        visited_by -> Nullable<Uuid>,
        visited_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    exit_acknowledgements (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        list_id -> Uuid,
        region_code -> Int8,
        level -> Text,
        user_id -> Uuid,
        username -> Text,
        org_unit -> Int8,
        acknowledged_at -> Timestamptz,
        note -> Text,
    }
}

diesel::table! {
    exit_signoffs (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        list_id -> Uuid,
        region_code -> Int8,
        body -> Text,
        user_id -> Uuid,
        username -> Text,
        team_id -> Nullable<Uuid>,
        signed_on -> Date,
        signed_at -> Timestamptz,
        opinion -> Text,
        details -> Jsonb,
        attachments -> Jsonb,
    }
}

diesel::table! {
    exit_steps (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        list_id -> Uuid,
        region_code -> Int8,
        step -> Text,
        stage_from -> Nullable<Text>,
        stage_to -> Text,
        actor_id -> Uuid,
        actor_username -> Text,
        actor_org -> Int8,
        taken_at -> Timestamptz,
        details -> Jsonb,
        attachments -> Jsonb,
    }
}

diesel::table! {
    exit_objections (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        list_id -> Uuid,
        household_id -> Uuid,
        region_code -> Int8,
        stage -> Text,
        raised_by -> Text,
        content -> Text,
        raised_at -> Timestamptz,
        recorded_by -> Uuid,
        status -> Text,
        resolution_reason -> Nullable<Text>,
        resolved_by -> Nullable<Uuid>,
        resolved_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    exit_targets (county_code, year) {
        county_code -> Int4,
        year -> Int4,
        region_code -> Int8,
        people -> Int4,
        set_by -> Uuid,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    monitoring_leads (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        household_id -> Uuid,
        region_code -> Int8,
        rule -> Text,
        period -> Text,
        details -> Jsonb,
        status -> Text,
        case_id -> Nullable<Uuid>,
        resolution_reason -> Nullable<Text>,
        raised_by -> Nullable<Uuid>,
        raised_at -> Timestamptz,
        resolved_by -> Nullable<Uuid>,
        resolved_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    monitoring_cases (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        household_id -> Uuid,
        region_code -> Int8,
        kind -> Text,
        risk_types -> Array<Text>,
        found_on -> Date,
        deadline -> Date,
        description -> Text,
        stage -> Text,
        status_before -> Text,
        rescue_first -> Bool,
        post_verified -> Nullable<Bool>,
        lead_id -> Nullable<Uuid>,
        confirmed_at -> Nullable<Timestamptz>,
        closed_at -> Nullable<Timestamptz>,
        version -> Int4,
        created_by -> Uuid,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        contact_user_id -> Nullable<Uuid>,
        contact_name -> Nullable<Text>,
        contact_assigned_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    monitoring_events (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        case_id -> Uuid,
        region_code -> Int8,
        kind -> Text,
        stage_from -> Nullable<Text>,
        stage_to -> Text,
        actor_id -> Uuid,
        actor_username -> Text,
        at -> Timestamptz,
        details -> Jsonb,
    }
}

diesel::table! {
    property_checks (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        region_code -> Int8,
        name -> Text,
        file_sha256 -> Text,
        importer_org -> Int8,
        imported_by -> Uuid,
        imported_at -> Timestamptz,
        hits -> Int4,
        reused -> Int4,
    }
}

diesel::table! {
    property_hits (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        batch_id -> Uuid,
        member_id -> Uuid,
        household_id -> Uuid,
        region_code -> Int8,
        row_number -> Int4,
        hit_type -> Text,
        details -> Text,
        fact_key -> Text,
        status -> Text,
        is_true -> Nullable<Bool>,
        arose_on -> Nullable<Date>,
        before_cutoff -> Nullable<Bool>,
        proposal -> Nullable<Text>,
        veto_condition -> Nullable<Text>,
        reason -> Nullable<Text>,
        note -> Nullable<Text>,
        opinion -> Nullable<Text>,
        reused_from -> Nullable<Uuid>,
        verified_by -> Nullable<Uuid>,
        verified_at -> Nullable<Timestamptz>,
        appraised_at -> Nullable<Timestamptz>,
        household_status_before -> Nullable<Text>,
        vetoed_at -> Nullable<Timestamptz>,
        reversed_at -> Nullable<Timestamptz>,
        reversal_reason -> Nullable<Text>,
        version -> Int4,
    }
}

diesel::table! {
    property_appraisals (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        batch_id -> Uuid,
        region_code -> Int8,
        held_on -> Date,
        attendees -> Int4,
        minutes -> Text,
        recorded_by -> Uuid,
        recorded_at -> Timestamptz,
        sent_back_by -> Nullable<Uuid>,
        sent_back_at -> Nullable<Timestamptz>,
        send_back_reason -> Nullable<Text>,
    }
}

diesel::table! {
    property_reports (county_code, batch_id, region_code) {
        county_code -> Int4,
        batch_id -> Uuid,
        region_code -> Int8,
        statistics -> Jsonb,
        submitted_by -> Uuid,
        submitted_at -> Timestamptz,
        confirmed_by -> Nullable<Uuid>,
        confirmed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    village_profiles (county_code, region_code, year) {
        county_code -> Int4,
        region_code -> Int8,
        year -> Int4,
        households -> Int4,
        population -> Int4,
        per_capita_income_fen -> Int8,
        collective_income_fen -> Int8,
        cultivated_mu_tenths -> Int8,
        forest_mu_tenths -> Int8,
        main_industries -> Array<Text>,
        featured_industries -> Array<Text>,
        merged_village -> Bool,
        former_poor_village -> Bool,
        hardened_road_permille -> Nullable<Int4>,
        tap_water_permille -> Nullable<Int4>,
        sanitary_toilet_permille -> Nullable<Int4>,
        electricity_permille -> Nullable<Int4>,
        school_enrolment_permille -> Nullable<Int4>,
        version -> Int4,
        updated_by -> Uuid,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    village_indicators (county_code, region_code, year) {
        county_code -> Int4,
        region_code -> Int8,
        year -> Int4,
        garbage_sewage_system -> Nullable<Bool>,
        village_rules -> Nullable<Bool>,
        cultural_courtyard -> Nullable<Bool>,
        civilization_station -> Nullable<Bool>,
        committee_election -> Nullable<Bool>,
        deliberation_council -> Nullable<Bool>,
        high_standard_farmland_permille -> Nullable<Int4>,
        labour_households -> Nullable<Int4>,
        labour_households_stable_work -> Nullable<Int4>,
        groups_30plus -> Nullable<Int4>,
        groups_30plus_hardened_road -> Nullable<Int4>,
        settlements_200plus -> Nullable<Int4>,
        settlements_200plus_sewage -> Nullable<Int4>,
        updated_by -> Uuid,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    county_figures (county_code, year) {
        county_code -> Int4,
        year -> Int4,
        region_code -> Int8,
        per_capita_income_fen -> Int8,
        updated_by -> Uuid,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    key_villages (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        region_code -> Int8,
        from_year -> Int4,
        to_year -> Int4,
        plan -> Text,
        projects -> Array<Text>,
        status -> Text,
        designated_by -> Uuid,
        designated_at -> Timestamptz,
        exit_decided_on -> Nullable<Date>,
        exit_decision_no -> Nullable<Text>,
        exit_reason -> Nullable<Text>,
        exit_decided_by -> Nullable<Uuid>,
        version -> Int4,
        industry_plan_adopted_on -> Nullable<Date>,
    }
}

diesel::table! {
    demonstration_villages (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        region_code -> Int8,
        level -> Text,
        designated_year -> Int4,
        created_by -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    key_village_leaders (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        key_village_id -> Uuid,
        region_code -> Int8,
        name -> Text,
        position -> Text,
        from_date -> Date,
        to_date -> Nullable<Date>,
        created_by -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    key_village_assessments (county_code, key_village_id, year) {
        county_code -> Int4,
        key_village_id -> Uuid,
        year -> Int4,
        region_code -> Int8,
        grade -> Text,
        notes -> Text,
        targets -> Jsonb,
        assessed_by -> Uuid,
        assessed_at -> Timestamptz,
    }
}

diesel::table! {
    teams (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        region_code -> Int8,
        name -> Text,
        created_by -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    team_members (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        team_id -> Uuid,
        region_code -> Int8,
        name -> Text,
        id_blind -> Bytea,
        id_masked -> Text,
        dispatching_unit -> Text,
        position -> Text,
        term_start -> Date,
        term_end -> Date,
        user_id -> Nullable<Uuid>,
        created_by -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    pairings (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        household_id -> Uuid,
        region_code -> Int8,
        member_id -> Uuid,
        start_date -> Date,
        end_date -> Nullable<Date>,
        created_by -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    visits (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        household_id -> Uuid,
        region_code -> Int8,
        member_id -> Uuid,
        visited_on -> Date,
        found -> Text,
        done -> Text,
        created_by -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    village_advisers (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        region_code -> Int8,
        name -> Text,
        specialty -> Text,
        unit -> Text,
        from_date -> Date,
        to_date -> Nullable<Date>,
        created_by -> Uuid,
    }
}

diesel::table! {
    village_pairings (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        region_code -> Int8,
        strong_village -> Int8,
        from_year -> Int4,
        to_year -> Int4,
        content -> Text,
        created_by -> Uuid,
    }
}

diesel::table! {
    funds (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        region_code -> Int8,
        year -> Int4,
        level -> Text,
        source -> Text,
        purpose -> Text,
        bundled -> Bool,
        linking -> Bool,
        amount_fen -> Int8,
        document_no -> Text,
        received_on -> Date,
        created_by -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    projects (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        region_code -> Int8,
        year -> Int4,
        name -> Text,
        purpose -> Text,
        budget_fen -> Int8,
        pay_by_progress -> Bool,
        account -> Text,
        progress_pct -> Int4,
        status -> Text,
        assets -> Text,
        asset_holder -> Text,
        version -> Int4,
        created_by -> Uuid,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        manager_user_id -> Nullable<Uuid>,
        posting_required -> Bool,
    }
}

diesel::table! {
    project_postings (county_code, project_id) {
        county_code -> Int4,
        project_id -> Uuid,
        region_code -> Int8,
        posted_on -> Date,
        location -> Text,
        contact -> Text,
        attachment_uri -> Nullable<Text>,
        notice_days -> Int4,
        first_day -> Date,
        last_day -> Date,
        ends_at -> Timestamptz,
        created_by -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    project_progress (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        project_id -> Uuid,
        region_code -> Int8,
        progress_pct -> Int4,
        recorded_on -> Date,
        note -> Text,
        created_by -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    allocations (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        fund_id -> Uuid,
        project_id -> Uuid,
        region_code -> Int8,
        amount_fen -> Int8,
        reverses -> Nullable<Uuid>,
        note -> Text,
        created_by -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    benefit_cards (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        household_id -> Uuid,
        region_code -> Int8,
        bank_name -> Text,
        card_cipher -> Bytea,
        card_key -> Int2,
        card_masked -> Text,
        created_by -> Uuid,
        created_at -> Timestamptz,
        replaced_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    disbursements (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        project_id -> Uuid,
        region_code -> Int8,
        amount_fen -> Int8,
        kind -> Text,
        payee -> Text,
        household_id -> Nullable<Uuid>,
        reverses -> Nullable<Uuid>,
        paid_on -> Date,
        note -> Text,
        created_by -> Uuid,
        created_at -> Timestamptz,
        card_id -> Nullable<Uuid>,
        card_masked -> Nullable<Text>,
    }
}

diesel::table! {
    relocation_plans (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        region_code -> Int8,
        year -> Int4,
        name -> Text,
        households -> Int4,
        people -> Int4,
        subsidy_per_person_fen -> Int8,
        entitlement_fen -> Int8,
        project_id -> Uuid,
        created_by -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    ranger_contracts (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        region_code -> Int8,
        member_id -> Uuid,
        household_id -> Uuid,
        station -> Text,
        villager_group -> Text,
        area_mu_tenths -> Int8,
        bound_east -> Text,
        bound_south -> Text,
        bound_west -> Text,
        bound_north -> Text,
        start_date -> Date,
        end_date -> Date,
        annual_subsidy_fen -> Int8,
        project_id -> Uuid,
        terminated_on -> Nullable<Date>,
        termination_reason -> Nullable<Text>,
        created_by -> Uuid,
        created_at -> Timestamptz,
        signed_on -> Date,
        terms -> Nullable<Jsonb>,
    }
}

diesel::table! {
    ranger_inspections (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        contract_id -> Uuid,
        region_code -> Int8,
        inspected_on -> Date,
        present -> Bool,
        note -> Text,
        created_by -> Uuid,
    }
}

diesel::table! {
    ranger_incidents (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        contract_id -> Uuid,
        region_code -> Int8,
        occurred_on -> Date,
        kind -> Text,
        burnt_mu_tenths -> Int8,
        through_negligence -> Bool,
        above_case_threshold -> Bool,
        major_loss -> Bool,
        description -> Text,
        created_by -> Uuid,
    }
}

diesel::table! {
    ranger_patrols (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        contract_id -> Uuid,
        region_code -> Int8,
        patrolled_on -> Date,
        area -> Text,
        findings -> Text,
        reported -> Bool,
        created_by -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    ranger_payouts (county_code, contract_id, month) {
        county_code -> Int4,
        contract_id -> Uuid,
        month -> Text,
        region_code -> Int8,
        lines -> Jsonb,
        total_fen -> Int8,
        disbursement_id -> Nullable<Uuid>,
        created_by -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    household_counts (county_code, region_code, status, attribute, cause) {
        county_code -> Int4,
        region_code -> Int8,
        status -> Text,
        attribute -> Text,
        cause -> Text,
        households -> Int8,
        people -> Int8,
    }
}

diesel::table! {
    webhook_endpoints (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        region_code -> Int8,
        url -> Text,
        secret -> Text,
        events -> Array<Text>,
        description -> Text,
        active -> Bool,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        owned_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    webhook_events (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        region_code -> Int8,
        kind -> Text,
        object_type -> Text,
        object_id -> Text,
        payload -> Jsonb,
        occurred_at -> Timestamptz,
    }
}

diesel::table! {
    webhook_deliveries (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        region_code -> Int8,
        endpoint_id -> Uuid,
        event_id -> Uuid,
        status -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        lease_until -> Nullable<Timestamptz>,
        locked_by -> Nullable<Text>,
        last_status -> Nullable<Int4>,
        last_error -> Nullable<Text>,
        delivered_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    cors_origins (county_code, origin) {
        county_code -> Int4,
        origin -> Text,
        region_code -> Int8,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    calendar_years (year) {
        year -> Int4,
        source -> Text,
        version -> Int4,
        updated_by -> Nullable<Uuid>,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    calendar_days (date) {
        date -> Date,
        kind -> Text,
        festival -> Text,
        festival_zh -> Text,
    }
}

diesel::table! {
    attachments (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        region_code -> Int8,
        object_type -> Text,
        object_id -> Uuid,
        file_name -> Text,
        content_type -> Text,
        size_bytes -> Int8,
        sha256 -> Text,
        storage_key -> Text,
        uploaded_by -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    campaigns (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        region_code -> Int8,
        year -> Int4,
        status -> Text,
        opened_on -> Date,
        deadlines -> Jsonb,
        note -> Nullable<Text>,
        version -> Int4,
        created_by -> Uuid,
        created_at -> Timestamptz,
        closed_by -> Nullable<Uuid>,
        closed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    campaign_excuses (county_code, campaign_id, region_code) {
        county_code -> Int4,
        campaign_id -> Uuid,
        region_code -> Int8,
        reason -> Text,
        excused_by -> Uuid,
        excused_at -> Timestamptz,
    }
}

diesel::table! {
    intake_lists (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        region_code -> Int8,
        year -> Int4,
        stage -> Text,
        notice_started_at -> Nullable<Timestamptz>,
        notice_ends_at -> Nullable<Timestamptz>,
        version -> Int4,
        created_by -> Uuid,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        announced_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    intake_entries (county_code, list_id, household_id) {
        county_code -> Int4,
        list_id -> Uuid,
        household_id -> Uuid,
        region_code -> Int8,
        year -> Int4,
        kind -> Text,
        people -> Int4,
        removed -> Bool,
        removed_reason -> Nullable<Text>,
        removed_at -> Nullable<Timestamptz>,
        added_at -> Timestamptz,
    }
}

diesel::table! {
    intake_steps (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        list_id -> Uuid,
        region_code -> Int8,
        step -> Text,
        stage_from -> Nullable<Text>,
        stage_to -> Text,
        actor_id -> Uuid,
        actor_username -> Text,
        actor_org -> Int8,
        taken_at -> Timestamptz,
        details -> Jsonb,
        attachments -> Jsonb,
    }
}

diesel::table! {
    intake_targets (county_code, year) {
        county_code -> Int4,
        year -> Int4,
        region_code -> Int8,
        people -> Int4,
        returns_people -> Nullable<Int4>,
        set_by -> Uuid,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    intake_objections (county_code, id) {
        county_code -> Int4,
        id -> Uuid,
        list_id -> Uuid,
        household_id -> Uuid,
        region_code -> Int8,
        stage -> Text,
        raised_by -> Text,
        content -> Text,
        raised_at -> Timestamptz,
        recorded_by -> Uuid,
        status -> Text,
        resolution_reason -> Nullable<Text>,
        resolved_by -> Nullable<Uuid>,
        resolved_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    data_key_checks (kind, key_id) {
        kind -> Text,
        key_id -> Int2,
        check_value -> Bytea,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    township_plans (county_code, region_code, year) {
        county_code -> Int4,
        region_code -> Int8,
        year -> Int4,
        exit_households -> Int4,
        exit_people -> Int4,
        entry_people -> Nullable<Int4>,
        milestones -> Jsonb,
        created_on -> Date,
        version -> Int4,
        approved_by -> Nullable<Uuid>,
        approved_at -> Nullable<Timestamptz>,
        created_by -> Uuid,
        updated_by -> Uuid,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    township_liaisons (county_code, region_code) {
        county_code -> Int4,
        region_code -> Int8,
        township_code -> Int8,
        user_id -> Uuid,
        assigned_by -> Uuid,
        assigned_at -> Timestamptz,
    }
}

diesel::table! {
    property_routes (county_code, batch_id, region_code) {
        county_code -> Int4,
        batch_id -> Uuid,
        region_code -> Int8,
        leader_id -> Nullable<Uuid>,
        direct -> Bool,
        forwarded_by -> Uuid,
        forwarded_at -> Timestamptz,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    benefit_cards,
    project_postings,
    regions,
    calendar_years,
    calendar_days,
    roles,
    role_permissions,
    permissions,
    tenants,
    users,
    role_grants,
    sessions,
    refresh_tokens,
    settings,
    audit_events,
    poverty_causes,
    households,
    members,
    household_years,
    assistance_measures,
    household_events,
    idempotency_keys,
    jobs,
    job_errors,
    property_appraisals,
    property_routes,
    township_liaisons,
    exit_lists,
    exit_rounds,
    exit_round_decisions,
    exit_round_postings,
    exit_entries,
    exit_acknowledgements,
    exit_signoffs,
    exit_steps,
    exit_inspections,
    exit_inspection_households,
    exit_objections,
    exit_targets,
    monitoring_leads,
    monitoring_cases,
    monitoring_events,
    property_checks,
    property_hits,
    property_reports,
    village_profiles,
    village_indicators,
    county_figures,
    key_villages,
    key_village_leaders,
    demonstration_villages,
    key_village_assessments,
    teams,
    team_members,
    pairings,
    visits,
    village_advisers,
    village_pairings,
    funds,
    projects,
    project_progress,
    allocations,
    disbursements,
    relocation_plans,
    ranger_contracts,
    ranger_inspections,
    ranger_incidents,
    ranger_patrols,
    ranger_payouts,
    household_counts,
    webhook_endpoints,
    webhook_events,
    webhook_deliveries,
    cors_origins,
    grant_requests,
    attachments,
    campaigns,
    campaign_excuses,
    intake_lists,
    intake_entries,
    intake_steps,
    intake_targets,
    township_plans,
);
