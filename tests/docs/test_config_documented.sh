#!/usr/bin/env bash
# test_config_documented.sh: docs/config-reference.md documents every setting
# that a bundled config or test config uses, and every setting the program
# accepts. Each setting is looked for as a `backticked` dotted path with
# placeholders (<cohort>, <type>, <route>, <need>, <dest>), as listed by
# settings.awk from the resolved copy of each config.
#
# Env: CARECAP (the binary), CARECAP_ROOT (the source tree).
. "$(dirname "${BASH_SOURCE[0]}")/../cli/lib.sh"
ref="$CARECAP_ROOT/docs/config-reference.md"
[ -s "$ref" ] || { echo "FAIL: $ref missing"; echo "test_config_documented: 0 passed, 1 failed"; exit 1; }

# Every setting the program accepts (keep in step with sim/params.c: a new
# setting must be added here and documented).
accepted="name scenario start_date districts ageing
initial.count.<cohort> initial.district_mix.<cohort> initial.placement_mix.<cohort>.<type>
initial.needs.<need>.<cohort> initial.resi_against_plan
entries.rate.<cohort> entries.trend entries.placement_mix.<cohort>.<type> entries.needs.<need>.<cohort>
entries.age_profile.<cohort>
exits.<route>.distribution exits.<route>.shape exits.<route>.sigma exits.<route>.rate.<cohort>
exits.<route>.placement_multiplier.<type>
moves.distribution moves.shape moves.sigma moves.rate.<type>.<cohort> moves.to_residential.<cohort>
moves.frailty_variance initial.history.<cohort>.in_care initial.history.<cohort>.in_placement
needs.<need>.exit_multiplier.<route> needs.<need>.move_multiplier
transitions.semi_independent.at_16.<type> transitions.semi_independent.rate.<type>
transitions.leaving_care.default.<dest> transitions.leaving_care.<type>.<dest>
supply.homes[].name supply.homes[].kind supply.homes[].beds supply.homes[].min_age supply.homes[].max_age
supply.homes[].open supply.homes[].close supply.homes[].location supply.homes[].annual_cost
supply.homes[].start supply.homes[].start.<cohort> supply.homes[].max_days
supply.fostering.emergency_places supply.fostering.emergency_days supply.external[].max_days
supply.fostering.households supply.fostering.slots supply.fostering.age_limit.<cohort>
supply.fostering.approvals supply.fostering.assessment_days supply.fostering.resignation
supply.fostering.leave_when_empty supply.fostering.location supply.fostering.start supply.fostering.start.<cohort>
supply.external[].name supply.external[].type supply.external[].location supply.external[].capacity
supply.external[].probability supply.external[].unlimited supply.external[].contract supply.external[].price_week
supply.external[].min_age supply.external[].max_age supply.external[].start supply.external[].start.<cohort>
supply.external[].start_rest
matching.<type> matching.<cohort>.<type> matching.<need>.<type> matching.ready_after_months
costs.price_year costs.inflation.default costs.inflation.<line> costs.foster_allowance_week costs.foster_fee_week
costs.emergency_place_week costs.kinship_week costs.other_week.<type> costs.reference_week.<type>
costs.one_off[].name costs.one_off[].date costs.one_off[].amount
costs.discount_rate costs.deflator
uncertainty uncertainty_of[].setting uncertainty_of[].events uncertainty_of[].exposure uncertainty_of[].counts
uncertainty_of[].range90 uncertainty_of[].factor90 uncertainty_of[].why
uncertainty_group initial.history.pairing drift.persistence drift.persistence.entries drift.persistence.exits drift.persistence.moves drift.persistence.staying_put drift.entries drift.exits drift.moves drift.staying_put drift.why drift.entries_by_cohort.<cohort> drift.common drift.shared.entries drift.shared.exits drift.shared.moves drift.shared.staying_put drift.dof.entries drift.dof.exits drift.dof.moves drift.dof.staying_put"

# Settings used by the configs we ship and test with.
for cfg in "$CARECAP_ROOT"/config/*.cfg "$CARECAP_ROOT"/tests/data/*.cfg; do
    grep -q '^levers' "$cfg" && continue # scenario files: checked below
    grep -q '^councils' "$cfg" && continue # region files: checked below (docs/region.md)
    out="$tmp/$(basename "$cfg" .cfg)"
    if ! "$CARECAP" run --no-charts "$cfg" -r 1 -y 1 -q -o "$out" >/dev/null 2>"$tmp/err"; then
        bad "$cfg does not run: $(cat "$tmp/err")"
        continue
    fi
    awk -f "$CARECAP_ROOT/tests/docs/settings.awk" "$out/config.cfg" >>"$tmp/used"
done
used=$(sort -u "$tmp/used")
[ "$(echo "$used" | wc -l)" -ge 20 ] && ok || bad "settings.awk found only $(echo "$used" | wc -l) settings"

for s in $accepted $used; do
    if grep -qF "\`$s\`" "$ref"; then ok; else bad "docs/config-reference.md does not document \`$s\`"; fi
done
# the used settings must all be accepted ones (else this list is stale)
for s in $used; do
    case " $(echo $accepted) " in
    *" $s "*) ok ;;
    *) bad "setting $s is used by a config but missing from the accepted list in this test" ;;
    esac
done

# Scenario files: every lever and every lever setting is in docs/scenarios.md.
scen="$CARECAP_ROOT/docs/scenarios.md"
for l in foster_recruitment foster_retention new_home close_home convert_home step_down edge_of_care \
    kinship_sgo d2n2_local block_contract inflation; do
    grep -qF "\`$l\`" "$scen" && ok || bad "docs/scenarios.md does not document lever \`$l\`"
done
for k in name description baseline levers extra_per_year resignation_multiplier ready_after_months \
    entry_multiplier sgo_multiplier kinship_multiplier provider probability capacity price_week home date \
    from to line rate kind beds min_age max_age open close location annual_cost; do
    grep -qF "\`$k\`" "$scen" && ok || bad "docs/scenarios.md does not document \`$k\`"
done

# Region files and region scenarios: every setting and lever is in docs/region.md.
reg="$CARECAP_ROOT/docs/region.md"
for k in name description councils key config markets type location places unlimited price_week providers \
    background per_year mean_weeks baseline levers lever council_scenario joint_block recruitment_campaign council \
    scenario market from extra_places; do
    grep -qF "\`$k\`" "$reg" && ok || bad "docs/region.md does not document \`$k\`"
done

echo "test_config_documented: $pass passed, $fail failed"
[ $fail -eq 0 ]
