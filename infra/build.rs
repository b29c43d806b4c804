//! `embed_migrations!` does not track the SQL files; rebuild when they change.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
