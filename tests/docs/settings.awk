# settings.awk: list every setting in a resolved carecap config (the
# config.cfg a run writes) as a dotted path with placeholders, one per line:
# cohorts become <cohort>, placement types <type>, exit routes <route>,
# need flags <need>, 18+ destinations <dest>; a list of groups is name[]. Used by test_config_documented.sh.
function norm(i, name, parent, gparent) {
    if (name ~ /^age_[0-9]+_[0-9]+$/) return "<cohort>"
    if (i == 2 && stack[1] == "exits") return "<route>"
    if (parent == "exit_multiplier") return "<route>"
    if ((i == 2 && stack[1] == "needs") || (i == 3 && stack[2] == "needs")) return "<need>"
    if (i == 2 && stack[1] == "matching" && name ~ /^(uasc|disabled|complex)$/) return "<need>"
    if (i == 3 && stack[1] == "costs" && stack[2] == "inflation" && name != "default") return "<line>"
    if (stack[1] == "drift") return name
    if (name ~ /^(staying_put|supported|independent)$/) return "<dest>"
    if (i == 3 && stack[1] == "transitions" && stack[2] == "leaving_care" && name != "default") return "<type>"
    if (i == 2 && stack[1] == "transitions") return name
    if (name ~ /^(kinship|foster|residential|semi_independent|secure|with_parents|adoption|other)$/) return "<type>"
    return name
}
function path(depth, leaf,    s, k) {
    s = ""
    for (k = 1; k <= depth; k++) s = s (k > 1 ? "." : "") nstack[k]
    return s
}
/^[ \t]*#/ { next }
/^[ \t]*[A-Za-z_][A-Za-z0-9_]*[ \t]*:[ \t]*$/ {
    name = $1; sub(/:.*/, "", name)
    d++; stack[d] = name
    nstack[d] = norm(d, name, stack[d-1], stack[d-2])
    next
}
# a list of groups: `homes = (` ... `} );` appears as homes[]
/^[ \t]*[A-Za-z_][A-Za-z0-9_]*[ \t]*=[ \t]*\([ \t]*$/ {
    name = $1; sub(/=.*/, "", name)
    d++; stack[d] = name "[]"; nstack[d] = name "[]"
    next
}
/^[ \t]*}[ \t]*\);/ { d--; next }
/^[ \t]*}[ \t]*,/ { next }
/^[ \t]*{[ \t]*$/ { next }
/^[ \t]*};/ { d--; next }
/^[ \t]*[A-Za-z_][A-Za-z0-9_]*[ \t]*=/ {
    name = $1; sub(/=.*/, "", name)
    stack[d+1] = name
    nstack[d+1] = norm(d+1, name, stack[d], stack[d-1])
    print path(d+1)
}
