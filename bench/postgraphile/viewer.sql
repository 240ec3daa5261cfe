-- What one viewer may read of the registry's PostgreSQL data, as views PostGraphile serves:
-- the same rules as the registry's services (api/src/service/access.rs) for a signed-in
-- reader with NHS access, written out for the viewer named by :'subject'. Run with
--   psql "$DATABASE_URL" -v subject=demo-commissioner -f viewer.sql
DROP SCHEMA IF EXISTS postgraphile CASCADE;
CREATE SCHEMA postgraphile;

CREATE VIEW postgraphile.own_organisations AS
  SELECT m.organisation_id FROM memberships m JOIN users u ON u.id = m.user_id
  WHERE u.subject = :'subject';

CREATE VIEW postgraphile.organisations AS
  SELECT id, name, kind, ods_code, region FROM organisations;
COMMENT ON VIEW postgraphile.organisations IS E'@primaryKey id';

CREATE VIEW postgraphile.metrics AS
  SELECT id, code, name, unit, direction FROM metrics;
COMMENT ON VIEW postgraphile.metrics IS E'@primaryKey id';

CREATE VIEW postgraphile.technologies AS
  SELECT id, slug, name, supplier_id FROM technologies t
  WHERE t.withdrawn_at IS NULL
     OR t.supplier_id IN (SELECT organisation_id FROM postgraphile.own_organisations);
COMMENT ON VIEW postgraphile.technologies IS
  E'@primaryKey id\n@foreignKey (supplier_id) references postgraphile.organisations (id)';

CREATE VIEW postgraphile.pilots AS
  SELECT id, technology_id, host_organisation_id, title, status, visibility FROM pilots p
  WHERE (p.withdrawn_at IS NULL AND p.visibility IN ('public', 'nhs'))
     OR p.host_organisation_id IN (SELECT organisation_id FROM postgraphile.own_organisations)
     OR (p.withdrawn_at IS NULL AND p.id IN (
          SELECT s.pilot_id FROM pilot_shares s
          WHERE s.organisation_id IN (SELECT organisation_id FROM postgraphile.own_organisations)));
COMMENT ON VIEW postgraphile.pilots IS
  E'@primaryKey id\n@foreignKey (technology_id) references postgraphile.technologies (id)\n@foreignKey (host_organisation_id) references postgraphile.organisations (id)';

CREATE VIEW postgraphile.pilot_measures AS
  SELECT m.id, m.pilot_id, m.metric_id, m.is_primary, m.baseline_value, m.baseline_n,
         m.baseline_sd, m.result_value, m.result_n, m.result_sd
  FROM pilot_measures m WHERE m.pilot_id IN (SELECT id FROM postgraphile.pilots);
COMMENT ON VIEW postgraphile.pilot_measures IS
  E'@primaryKey id\n@foreignKey (pilot_id) references postgraphile.pilots (id)\n@foreignKey (metric_id) references postgraphile.metrics (id)';
