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

diesel::allow_tables_to_appear_in_same_query!(
    regions,
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
);
