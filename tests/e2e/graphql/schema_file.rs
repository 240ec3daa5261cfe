//! The contract is reviewed as a file: `api/schema.graphql` must be what the code serves.
//! Regenerate it with `REGISTRY_UPDATE_SCHEMA=1 cargo nextest run schema_file`.

#[test]
fn the_schema_file_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/api/schema.graphql");
    let sdl = registry_api::graphql::sdl();
    if std::env::var_os("REGISTRY_UPDATE_SCHEMA").is_some() {
        std::fs::write(path, &sdl).expect("write api/schema.graphql");
    }
    let file = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        file == sdl,
        "api/schema.graphql differs from the schema the code serves; review the change and \
         regenerate it with REGISTRY_UPDATE_SCHEMA=1 cargo nextest run schema_file"
    );
    for name in [
        "viewer",
        "technology(",
        "technologies(",
        "pilot(",
        "pilots(",
        "organisation(",
        "organisations(",
        "metrics:",
        "registerTechnology(",
        "updateTechnology(",
        "registerPilot(",
        "updatePilot(",
        "recordMeasure(",
        "submitEvaluationReport(",
        "publishPilot(",
        "withdrawPilot(",
        "createApiToken(",
        "revokeApiToken(",
    ] {
        assert!(sdl.contains(name), "the fixed name {name} is in the schema");
    }
}
