#!/usr/bin/env bash
# Smoke test of the dealcore CLI: builds a small demo database and drives
# every command through it, checking what the commands print, not only their
# exit codes.  Usage: smoke_test.sh path/to/dealcore
set -euo pipefail

BIN=${1:?usage: smoke_test.sh path/to/dealcore}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
DB=$TMP/demo.db
export NO_COLOR=1 COLUMNS=120 LC_ALL=C.UTF-8

dc() { "$BIN" --db "$DB" "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "--- $*"; }
# contains OUTPUT NEEDLE WHAT
contains() { grep -qF -- "$2" <<<"$1" || { printf '%s\n' "$1" | head -40 >&2; fail "$3: expected '$2'"; }; }
lacks() { ! grep -qF -- "$2" <<<"$1" || fail "$3: did not expect '$2'"; }
# py EXPRESSION-SCRIPT FILE: runs python with the JSON file loaded as `d`.
py() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); $1" "$2" || fail "python check: $1"; }
# expect_exit CODE STDERR-NEEDLE command...
expect_exit() {
  local code=$1 needle=$2; shift 2
  set +e; "$@" >"$TMP/out" 2>"$TMP/err"; local rc=$?; set -e
  [[ $rc == "$code" ]] || fail "'$*' exited $rc, expected $code (stderr: $(cat "$TMP/err"))"
  grep -qF -- "dealcore: " "$TMP/err" || fail "'$*': no 'dealcore: ' message on stderr"
  grep -qF -- "$needle" "$TMP/err" || fail "'$*': stderr lacks '$needle': $(cat "$TMP/err")"
}

step "no database yet"
expect_exit 1 "no database at" dc list

step "demo"
out=$(dc demo --deals 600 --date 2025-06-01)
contains "$out" "600 deals" "demo summary"
contains "$out" "Pipeline «Продажи»" "demo board"
contains "$out" "Успешно реализовано" "demo board stages"
expect_exit 1 "already exists" dc demo --deals 10

step "demo is deterministic"
"$BIN" --db "$TMP/again.db" demo --deals 600 --date 2025-06-01 >/dev/null
dc list --archived include --limit 1000 --sort created --json >"$TMP/a.json"
"$BIN" --db "$TMP/again.db" list --archived include --limit 1000 --sort created --json >"$TMP/b.json"
cmp -s "$TMP/a.json" "$TMP/b.json" || fail "two demos with one seed differ"
py "assert len(d['items']) == 600, len(d['items'])" "$TMP/a.json"

step "every read command emits valid JSON"
for cmd in "board" "board --pipeline Тендеры" "list --total" "show 1" "show 1 2" "find +79000000000" \
           "pipelines" "users" "tags" "verify" "events" "events --deal 1" "events --after 0" \
           "tasks --user 1" "tasks --department 1" "task list 1 --all" "history 1" "stages 1" "activity 1" \
           "list --overdue" "list --sort next-task --tz Europe/Moscow"; do
  # shellcheck disable=SC2086
  dc --json $cmd | python3 -m json.tool >/dev/null || fail "invalid JSON from '$cmd'"
done

step "dictionaries"
out=$(dc pipelines)
contains "$out" "Тендеры" "pipelines"
contains "$out" "Закрыто и не реализовано" "pipelines"
contains "$out" "#e53935" "stage colour"
out=$(dc users)
contains "$out" "Отдел продаж (Екатеринбург)" "users"
contains "$out" "Наталья Фёдорова" "users"
dc users --json >"$TMP/users.json"
py "assert len(d['users']) == 10 and len(d['departments']) == 3" "$TMP/users.json"
dc tags --json >"$TMP/tags.json"
py "assert len(d) == 20 and any(t['name'] == '44-ФЗ' and t['deals'] > 0 for t in d)" "$TMP/tags.json"

step "board and its alignment by display width"
out=$(dc board --pipeline Продажи --cards 3 --width 120)
contains "$out" "Новая заявка" "board"
contains "$out" "Open × probability" "board summary"
contains "$out" "┌" "board grid"
python3 - "$out" <<'PY' || fail "board grid lines differ in display width"
import sys, unicodedata
def width(s):
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in 'WF' else 1 for c in s)
grid = [l for l in sys.argv[1].splitlines() if l and l[0] in '┌│├└']
assert grid and len({width(l) for l in grid}) == 1, sorted({width(l) for l in grid})
assert max(width(l) for l in grid) <= 120
PY
out=$(dc board --pipeline 2 --owner 'Игорь Михайлов' --cards 0)
contains "$out" "Pipeline «Тендеры»" "board by id with owner filter"

step "list filters"
dc list --pipeline Тендеры --total --limit 1000 --json >"$TMP/l.json"
py "assert d['total'] > 0 and d['total'] == len(d['items']) and all(i['pipeline'] == 'Тендеры' for i in d['items'])" "$TMP/l.json"
dc list --kind won --owner 'Анна Смирнова' --limit 1000 --json >"$TMP/l.json"
py "assert d['items'] and all(i['stage_kind'] == 'won' and i['owner'] == 'Анна Смирнова' for i in d['items'])" "$TMP/l.json"
dc list --stage 'Переговоры' --department 'Отдел продаж (Москва)' --limit 1000 --json >"$TMP/l.json"
py "assert d['items'] and all(i['stage'] == 'Переговоры' and i['department'] == 'Отдел продаж (Москва)' for i in d['items'])" "$TMP/l.json"
dc list --text ПОСТАВКА --limit 1000 --json >"$TMP/l.json"
py "assert d['items'] and all('поставк' in i['name'].lower() for i in d['items'])" "$TMP/l.json"
dc list --amount-min 1000000 --amount-max 2500000.50 --currency RUB --limit 1000 --json >"$TMP/l.json"
py "assert d['items'] and all(i['amount']['currency'] == 'RUB' and 100000000 <= i['amount']['minor'] <= 250000050 for i in d['items'])" "$TMP/l.json"
dc list --created-from 2025-03-01 --created-to 2025-03-31 --limit 1000 --json >"$TMP/l.json"
py "assert d['items'] and all(1740787200000 <= i['created_at'] < 1743465600000 for i in d['items'])" "$TMP/l.json"
dc list --archived only --limit 1000 --json >"$TMP/l.json"
py "assert d['items'] and all(i['archived'] for i in d['items'])" "$TMP/l.json"
dc list --segment Госсектор --limit 1000 --json >"$TMP/l.json"
py "assert d['items'] and all(i['segment'] == 'Госсектор' for i in d['items'])" "$TMP/l.json"
dc list --no-tasks --total --json --limit 1 >"$TMP/l.json"
py "assert d['total'] > 0" "$TMP/l.json"
client=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['items'][0]['client_ref'])" "$TMP/l.json")
dc list --client "$client" --limit 1000 --json >"$TMP/l.json"
py "assert d['items'] and all(i['client_ref'] == '$client' for i in d['items'])" "$TMP/l.json"
# tags: any = all(both) + (first and not second)
total() { dc list --total --limit 1 --json "$@" | python3 -c "import json,sys; print(json.load(sys.stdin)['total'])"; }
any=$(total --tag-any Госзаказ)
both=$(total --tag-all Госзаказ --tag-all 44-ФЗ)
only=$(total --tag-all Госзаказ --tag-none 44-ФЗ)
[[ $any -gt 0 && $both -gt 0 && $only -gt 0 && $any == $((both + only)) ]] || fail "tag filters: $any != $both + $only"
step "the demo has tasks, comments and pins"
dc tasks --department 'Отдел продаж (Москва)' --json >"$TMP/tb.json"
py "assert [g['group'] for g in d['groups']] == ['overdue', 'today', 'tomorrow', 'this week', 'later']; assert d['total'] == sum(g['count'] for g in d['groups']) > 0" "$TMP/tb.json"
dc events --after 0 --limit 10000 --json >"$TMP/all.json"
py "k=[e['kind'] for e in d]; assert k.count('task.created') > 100 and 'task.completed' in k and 'comment.added' in k and 'event.pinned' in k" "$TMP/all.json"
py "late=[e for e in d if e['kind'] == 'task.completed' and '\"late\":true' in e['payload']]; assert late" "$TMP/all.json"
open_total=$(total --kind open)
no_task=$(total --kind open --no-tasks)
python3 -c "import sys; o, n = int(sys.argv[1]), int(sys.argv[2]); assert 0.15 < n / o < 0.5, (n, o)" "$open_total" "$no_task" \
  || fail "deals without tasks: $no_task of $open_total open"

step "time zones"
expect_exit 1 "unknown time zone 'Mars/Olympus'" dc --tz Mars/Olympus list
expect_exit 1 "unknown time zone" dc tasks --user 1 --tz Moscow
TZ=Europe/Moscow dc tasks --user 1 --json >"$TMP/tz.json"
py "assert d['time_zone'] == 'Europe/Moscow'" "$TMP/tz.json"
TZ=MSK-3 dc tasks --user 1 --json >"$TMP/tz.json"
py "assert d['time_zone'] == 'UTC'" "$TMP/tz.json"

step "tasks: add, the deal leaves --no-tasks, done, done twice, reopen, move, assign, edit, delete"
deal=$(dc list --no-tasks --kind open --pipeline Продажи --limit 1 --json | python3 -c "import json,sys; print(json.load(sys.stdin)['items'][0]['id'])")
before=$(total --no-tasks --kind open)
# tomorrow in Moscow, 10:00 local = 07:00 UTC
tomorrow=$(TZ=Europe/Moscow date -d tomorrow +%F)
dc --tz Europe/Moscow --actor 1 task add "$deal" --text 'Позвонить ЛПР: согласовать спецификацию' --type call --assignee 1 \
   --due "$tomorrow 10:00" --json >"$TMP/t.json"
py "assert d['type'] == 'call' and d['status'] == 'open' and d['due'] == '$tomorrow 10:00' and d['creator'] == 'Анна Смирнова' and d['deal_id'] == $deal" "$TMP/t.json"
task=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['id'])" "$TMP/t.json")
dc --tz UTC task list "$deal" --json >"$TMP/tl.json"
py "t=[x for x in d if x['id'] == $task][0]; assert t['due'] == '$tomorrow 07:00', t['due']" "$TMP/tl.json"
after=$(total --no-tasks --kind open)
[[ $after == $((before - 1)) ]] || fail "--no-tasks after task add: $after, expected $((before - 1))"
dc list --no-tasks --kind open --limit 1000 --json >"$TMP/l.json"
py "assert $deal not in [i['id'] for i in d['items']]" "$TMP/l.json"
dc --tz Europe/Moscow list --has-tasks --text "$(dc show "$deal" --json | python3 -c "import json,sys; print(json.load(sys.stdin)['name'][:20])")" --json >"$TMP/l.json"
py "i=[i for i in d['items'] if i['id'] == $deal][0]; assert i['task_state'] == 'planned' and i['open_task_count'] == 1" "$TMP/l.json"
out=$(dc --tz Europe/Moscow list --has-tasks --limit 5)
contains "$out" "Next task" "list task column"
dc --tz Europe/Moscow task add "$deal" --text 'Отправить КП' --type email --due-day 2020-01-15 >/dev/null
dc list --overdue --limit 1000 --json >"$TMP/l.json"
py "i=[i for i in d['items'] if i['id'] == $deal]; assert i and i[0]['task_state'] == 'overdue'" "$TMP/l.json"
out=$(dc --tz Europe/Moscow task list "$deal")
contains "$out" "2020-01-15 (all day)" "all-day task"
contains "$out" "overdue" "overdue status"
dc --actor 1 --tz Europe/Moscow tasks --mine --limit 1000 --json >"$TMP/tb.json"
py "g=[g for g in d['groups'] if g['group'] == 'tomorrow'][0]; assert $task in [t['id'] for t in g['items']] and g['count'] >= 1" "$TMP/tb.json"
count0=$(dc show "$deal" --json | python3 -c "import json,sys; print(json.load(sys.stdin)['open_task_count'])")
out=$(dc --actor 1 task done "$task" --result 'Дозвонился, спецификация согласована')
contains "$out" "Completed task #$task" "task done"
count1=$(dc show "$deal" --json | python3 -c "import json,sys; print(json.load(sys.stdin)['open_task_count'])")
[[ $count1 == $((count0 - 1)) ]] || fail "open task count after done: $count1, expected $((count0 - 1))"
expect_exit 1 "already completed" dc task done "$task"
expect_exit 1 "reopen it first" dc task move "$task" --due-day 2030-01-01
dc task reopen "$task" >/dev/null
expect_exit 1 "not completed" dc task reopen "$task"
dc --tz Europe/Moscow task move "$task" --due '2030-03-01 09:30' --json >"$TMP/t.json"
py "import datetime as t; assert d['due'] == '2030-03-01 09:30' and d['status'] == 'open' and d['due_at'] == int(t.datetime(2030, 3, 1, 6, 30, tzinfo=t.timezone.utc).timestamp() * 1000)" "$TMP/t.json"
dc task assign "$task" --to 'Дмитрий Иванов' --json >"$TMP/t.json"
py "assert d['assignee'] == 'Дмитрий Иванов'" "$TMP/t.json"
dc task edit "$task" --text 'Встреча: подписание' --type meeting --json >"$TMP/t.json"
py "assert d['type'] == 'meeting' and d['text'] == 'Встреча: подписание'" "$TMP/t.json"
out=$(dc task delete "$task")
contains "$out" "Deleted task #$task" "task delete"
expect_exit 1 "does not exist" dc task done "$task"
expect_exit 2 "--due" dc task add "$deal" --text x
expect_exit 2 "not a time" dc task add "$deal" --text x --due 2030-01-01
expect_exit 2 "does not apply" dc task done 1 --to 2
expect_exit 1 "unknown task type" dc task add "$deal" --text x --type телепатия --due-day 2030-01-01
expect_exit 2 "--actor" dc tasks --mine

step "comments, pins and the history"
out=$(dc --actor 10 comment "$deal" 'Клиент просит отсрочку 30 дней, нужен ответ финансового отдела' --mention 'Анна Смирнова')
contains "$out" "Comment #" "comment"
comment=$(grep -o 'Comment #[0-9]*' <<<"$out" | tr -dc 0-9)
dc comment edit "$comment" 'Клиент просит отсрочку 45 дней' >/dev/null
dc history "$deal" --kind comment --json >"$TMP/h.json"
py "k=[e['kind'] for e in d['items']]; assert k == ['comment.edited', 'comment.added'], k; assert 'отсрочку 30 дней' in d['items'][0]['text'] and 'отсрочку 45 дней' in d['items'][0]['text']" "$TMP/h.json"
first=$(dc history "$deal" --kind deal.created --json | python3 -c "import json,sys; print(json.load(sys.stdin)['items'][0]['seq'])")
dc --actor 1 pin "$first" >/dev/null
dc history "$deal" --json >"$TMP/h.json"
py "assert [e['seq'] for e in d['pinned']] == [$first] and d['pinned'][0]['pinned_by_name'] == 'Анна Смирнова'; s=[e['seq'] for e in d['items']]; assert s == sorted(s, reverse=True) and $first not in s and d['items'][0]['kind'] == 'event.pinned'" "$TMP/h.json"
py "k=[e['kind'] for e in d['items']]; assert {'task.created', 'task.completed', 'task.reopened', 'task.rescheduled', 'task.reassigned', 'task.edited', 'task.deleted', 'comment.added'} <= set(k), k" "$TMP/h.json"
py "t=[e['text'] for e in d['items'] if e['kind'] == 'task.rescheduled'][0]; assert '→' in t and '2030' in t, t" "$TMP/h.json"
out=$(dc history "$deal")
first_row=$(grep -m1 -E '^ *(📌|\[pinned\])? *[0-9]+  ' <<<"$out")
contains "$first_row" "📌" "the pinned event is first"
contains "$first_row" "deal.created" "the pinned event is first"
out=$(dc history "$deal" --actor 'Павел Морозов' --json)
contains "$out" "comment.added" "history --actor"
lacks "$out" "task.created" "history --actor"
dc history "$deal" --limit 2 --json >"$TMP/p1.json"
cur=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['next_cursor'])" "$TMP/p1.json")
dc history "$deal" --limit 2 --cursor "$cur" --json >"$TMP/p2.json"
python3 - "$TMP/h.json" "$TMP/p1.json" "$TMP/p2.json" <<'PY' || fail "history pages"
import json, sys
a, p1, p2 = (json.load(open(f)) for f in sys.argv[1:])
assert p2['pinned'] == []
assert [e['seq'] for e in p1['items'] + p2['items']] == [e['seq'] for e in a['items']][:4]
PY
dc unpin "$first" >/dev/null
dc history "$deal" --json >"$TMP/h.json"
py "assert d['pinned'] == [] and d['items'][0]['kind'] == 'event.unpinned'" "$TMP/h.json"
dc comment delete "$comment" >/dev/null
expect_exit 1 "does not exist" dc comment delete "$comment"
expect_exit 1 "does not exist" dc pin 99999999

step "stage history and time in the previous stage"
dc move "$deal" --stage Переговоры >/dev/null
dc move "$deal" --stage Квалификация >/dev/null
dc stages "$deal" --json >"$TMP/s.json"
py "s=[x['stage'] for x in d]; assert s[-2:] == ['Переговоры', 'Квалификация'] and d[-1]['current'] and d[-1]['left_at'] is None and all(x['left_at'] for x in d[:-1])" "$TMP/s.json"
out=$(dc stages "$deal")
contains "$out" "Time in stage" "stages table"
dc history "$deal" --kind deal.stage_changed --json >"$TMP/h.json"
py "t=d['items'][0]['text']; assert t.startswith('Переговоры → Квалификация after ') and 'min' in t, t" "$TMP/h.json"

step "activity"
dc activity "$deal" --json >"$TMP/a.json"
py "c=d['components']; assert {'tasks_created', 'tasks_completed', 'completed_late', 'overdue_now', 'open_tasks', 'days_since_touch', 'days_in_stage', 'rotting_days', 'rotting'} <= set(c); assert c['tasks_created'] >= 1 and c['overdue_now'] == 1 and c['open_tasks'] == 1; assert d['level'] in ('none', 'low', 'normal', 'high') and d['window_days'] == 30" "$TMP/a.json"
out=$(dc activity "$deal" --window 7)
contains "$out" "Level:" "activity"
contains "$out" "overdue now" "activity components"
expect_exit 2 "--window" dc activity "$deal" --window 0
lvl=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['level'])" "$TMP/a.json")
dc list --activity "$lvl" --pipeline Продажи --limit 1000 --json >"$TMP/l.json"
py "assert $deal in [i['id'] for i in d['items']]" "$TMP/l.json"
rot=$(total --rotting --kind open); fresh=$(total --not-rotting --kind open)
[[ $rot -gt 0 && $((rot + fresh)) == "$open_total" ]] || fail "rotting $rot + not rotting $fresh != $open_total"
dc list --sort next-task --has-tasks --limit 50 --json >"$TMP/l.json"
py "n=[i['next_task_due'] for i in d['items']]; assert n == sorted(n) and all(n)" "$TMP/l.json"

step "sort and paging"
dc list --sort amount --asc --currency RUB --amount-min 0 --limit 1000 --json >"$TMP/l.json"
py "a=[i['amount']['minor'] for i in d['items']]; assert len(a) > 10 and a == sorted(a)" "$TMP/l.json"
dc list --sort name --limit 10 --json >"$TMP/all10.json"
cursor=$(dc list --sort name --limit 5 --json | python3 -c "import json,sys; print(json.load(sys.stdin)['next_cursor'])")
[[ -n $cursor ]] || fail "no next cursor"
dc list --sort name --limit 5 --cursor "$cursor" --json >"$TMP/p2.json"
python3 - "$TMP/all10.json" "$TMP/p2.json" <<'PY' || fail "second page is not items 6-10"
import json, sys
all10 = [i['id'] for i in json.load(open(sys.argv[1]))['items']]
p2 = [i['id'] for i in json.load(open(sys.argv[2]))['items']]
assert p2 == all10[5:], (p2, all10)
PY
out=$(dc list --limit 3)
contains "$out" "Next page: --cursor" "list footer"
python3 - "$(dc list --limit 20 --sort created)" <<'PY' || fail "list columns do not line up"
import re, sys, unicodedata
def width(s):
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in 'WF' else 1 for c in s)
rows = [l for l in sys.argv[1].splitlines() if re.search(r'\d{4}-\d\d-\d\d \d\d:\d\d$', l)]
assert len(rows) == 20
assert len({width(l) for l in rows}) == 1  # the last column is left-aligned and fixed-width
PY

step "show and find by a phone in another notation"
dc show 1 --json >"$TMP/d1.json"
out=$(dc show 1)
contains "$out" "Deal #1" "show"
contains "$out" "Contacts:" "show contacts"
phone=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['contacts'][0]['phones'][0])" "$TMP/d1.json")
[[ $phone =~ ^\+7([0-9]{3})([0-9]{3})([0-9]{2})([0-9]{2})$ ]] || fail "phone not E.164: $phone"
other="8 (${BASH_REMATCH[1]}) ${BASH_REMATCH[2]}-${BASH_REMATCH[3]}-${BASH_REMATCH[4]}"
dc find "$other" --json >"$TMP/f.json"
py "assert d['normalized'] == '$phone' and 1 in [x['id'] for x in d['deals']]" "$TMP/f.json"
out=$(dc find "${phone: -6}")
contains "$out" "(last digits)" "find by last digits"
contains "$out" "$phone" "find by last digits"
dc list --phone "$other" --archived include --limit 1000 --json >"$TMP/l.json"
py "assert 1 in [i['id'] for i in d['items']]" "$TMP/l.json"
email=$(python3 -c "import json,sys; c=[c for c in json.load(open(sys.argv[1]))['contacts'] if c['emails']]; print(c[0]['emails'][0] if c else '')" "$TMP/d1.json")
if [[ -n $email ]]; then
  dc find "${email^^}" --json >"$TMP/f.json"
  py "assert 1 in [x['id'] for x in d['deals']]" "$TMP/f.json"
fi

step "new, move and the board sums"
sums() { # prints "count minor" of a stage of Продажи
  dc board --pipeline Продажи --cards 0 --json | python3 -c "
import json, sys
b = json.load(sys.stdin)
c = [c for c in b['columns'] if c['stage']['name'] == sys.argv[1]][0]
print(c['count'], sum(s['minor'] for s in c['sums'] if s['currency'] == 'RUB'))" "$1"
}
read -r new_n0 new_s0 <<<"$(sums 'Новая заявка')"
read -r neg_n0 neg_s0 <<<"$(sums 'Переговоры')"
dc new --pipeline Продажи --name 'Смоук-тест: поставка «Ёлки» для 東京商事' --amount 1234567.89 \
   --owner 'Анна Смирнова' --tag VIP --tag Срочно --client 'ООО «Тест»' --json >"$TMP/n.json"
id=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['id'])" "$TMP/n.json")
out=$(dc show "$id")
contains "$out" "1 234 567,89 ₽" "new deal amount"
contains "$out" "Продажи → Новая заявка" "new deal stage"
contains "$out" "VIP, Срочно" "new deal tags"
read -r new_n1 new_s1 <<<"$(sums 'Новая заявка')"
[[ $new_n1 == $((new_n0 + 1)) && $new_s1 == $((new_s0 + 123456789)) ]] || fail "board after new: $new_n1 $new_s1"
out=$(dc list --text 'елки' --json)
contains "$out" "\"id\": $id" "text search folds ё to е"
python3 - "$(dc board --pipeline Продажи --cards 3 --width 100)" <<'PY' || fail "board with a wide-character card is misaligned"
import sys, unicodedata
def width(s):
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in 'WF' else 1 for c in s)
blocks, block = [], None
for l in sys.argv[1].splitlines():
    if l.startswith('┌'): block = []; blocks.append(block)
    if block is not None and l and l[0] in '┌│├└': block.append(l)
assert len(blocks) == 3  # 8 stages in 100 columns: rows of 3, 3 and 2
assert any('Смоук-тест' in l for l in blocks[0])
for b in blocks:
    assert len({width(l) for l in b}) == 1, sorted({width(l) for l in b})
PY
out=$(dc move "$id" --stage Переговоры)
contains "$out" "Moved 1 deal to Продажи → Переговоры" "move"
read -r new_n2 new_s2 <<<"$(sums 'Новая заявка')"
read -r neg_n2 neg_s2 <<<"$(sums 'Переговоры')"
[[ $new_n2 == "$new_n0" && $new_s2 == "$new_s0" ]] || fail "source stage after move: $new_n2 $new_s2"
[[ $neg_n2 == $((neg_n0 + 1)) && $neg_s2 == $((neg_s0 + 123456789)) ]] || fail "target stage after move: $neg_n2 $neg_s2"
read -r lost_n0 _ <<<"$(sums 'Закрыто и не реализовано')"
dc move "$id" --stage 'закрыто и не реализовано' --lost-reason 'Дорого' >/dev/null
read -r lost_n1 _ <<<"$(sums 'Закрыто и не реализовано')"
[[ $lost_n1 == $((lost_n0 + 1)) ]] || fail "lost stage count after move"
out=$(dc show "$id")
contains "$out" "Lost reason  Дорого" "lost reason"
contains "$out" "Closed" "closed time"
expect_exit 1 "not a lost stage" dc move "$id" --stage Переговоры --lost-reason x
dc move "$id" --pipeline Тендеры --stage 'Подготовка заявки' >/dev/null
dc show "$id" --json >"$TMP/d.json"
py "assert d['pipeline'] == 'Тендеры' and d['stage'] == 'Подготовка заявки'" "$TMP/d.json"
expect_exit 1 "has no stage" dc move "$id" --stage 'Счёт выставлен'

step "tag and assign"
out=$(dc tag "$id" 1 --add Опт --remove VIP)
contains "$out" "Tagged 2 deals: +Опт −VIP" "tag"
dc show "$id" --json >"$TMP/d.json"
py "n=[t['name'] for t in d['tags']]; assert 'Опт' in n and 'Срочно' in n and 'VIP' not in n, n" "$TMP/d.json"
dc list --tag-all Опт --text смоук --json >"$TMP/l.json"
py "assert [i['id'] for i in d['items']] == [$id]" "$TMP/l.json"
out=$(dc --actor 1 assign "$id" --owner 'Павел Морозов')
contains "$out" "Assigned 1 deal to Павел Морозов" "assign"
dc show "$id" --json >"$TMP/d.json"
py "assert d['owner'] == 'Павел Морозов' and d['department'] == 'Тендерный отдел'" "$TMP/d.json"
dc list --owner 'Павел Морозов' --text смоук --json >"$TMP/l.json"
py "assert [i['id'] for i in d['items']] == [$id]" "$TMP/l.json"

step "the event log records changes and their actor"
dc events --deal "$id" --limit 100 --json >"$TMP/e.json"
python3 - "$TMP/e.json" <<'PY' || fail "event log of the smoke deal"
import json, sys
ev = json.load(open(sys.argv[1]))
kinds = [e['kind'] for e in ev]
assert kinds[0] == 'deal.created', kinds
assert kinds.count('deal.stage_changed') == 3, kinds
assert any('Дорого' in e['text'] for e in ev)
owner = [e for e in ev if e['kind'] == 'deal.owner_changed'][-1]
assert owner['actor_id'] == 1 and owner['actor'] == 'Анна Смирнова', owner
assert 'Павел Морозов' in owner['text']
assert [e['seq'] for e in ev] == sorted(e['seq'] for e in ev)
PY
out=$(dc events --limit 5)
contains "$out" "deal.owner_changed" "latest events"
expect_exit 1 "999999" dc events --deal 999999

step "archive"
dc archive "$id" >/dev/null
dc list --text смоук --json >"$TMP/l.json"
py "assert d['items'] == []" "$TMP/l.json"
dc list --text смоук --archived only --json >"$TMP/l.json"
py "assert [i['id'] for i in d['items']] == [$id]" "$TMP/l.json"
dc archive "$id" --undo >/dev/null

step "bad input"
expect_exit 1 "999999" dc show 999999
expect_exit 1 "999999" dc move 999999 --stage Переговоры --pipeline Продажи
expect_exit 2 "unknown option '--bogus'" dc list --bogus
expect_exit 2 "--kind" dc list --kind maybe
expect_exit 2 "not a date" dc list --created-from 2025-13-01
expect_exit 2 "not an amount" dc list --amount-min 12abc
# The largest amount is INT64_MAX minor units, and not one more.
dc list --currency RUB --amount-max 92233720368547758.07 --json >/dev/null || fail "INT64_MAX kopecks refused"
expect_exit 2 "too large" dc list --currency RUB --amount-max 92233720368547758.08
expect_exit 2 "deal id" dc show abc
expect_exit 2 "--stage" dc move 1
expect_exit 2 "unknown command" dc frobnicate
expect_exit 1 "unknown tag" dc tag 1 --add 'Нет такого тега'
expect_exit 1 "unknown user" dc assign 1 --owner 'Нет Такого'
expect_exit 1 "unknown pipeline" dc board --pipeline Нет

step "verify"
out=$(dc verify)
contains "$out" "ok: the views match the tables" "verify"
dc verify --json >"$TMP/v.json"
py "assert d['ok'] is True and d['differences'] == [] and d['deals'] == 601" "$TMP/v.json"
out=$(dc board --pipeline Продажи --cards 3 --width 120 --tz Europe/Moscow)
grep -qE "● (overdue|today|planned)|○ no tasks" <<<"$out" || fail "board cards show no task state"

step "emoji clusters take the columns a terminal gives them"
# A thumb with a skin tone, a family joined by U+200D and a flag are one
# glyph each, 2 columns wide; a cut falls between such clusters.
dc new --pipeline Продажи --name 'Эмодзи 👍🏽 семья 👨‍👩‍👧 флаг 🇷🇺 конец' >/dev/null
long='Эмодзи длинное'
for _ in $(seq 40); do long+=' 👨‍👩‍👧'; done
dc new --pipeline Продажи --name "$long" >/dev/null
python3 - "$(COLUMNS=160 dc list --text 'эмодзи')" <<'PY' || fail "emoji clusters misaligned or cut inside"
import sys, unicodedata
def width(s):  # grapheme clusters of these kinds, as terminals draw them
    w, joined, ri = 0, False, False
    for c in s:
        o = ord(c)
        if joined or 0x1F3FB <= o <= 0x1F3FF:  # joined by U+200D; a skin tone
            joined = False
            continue
        if o == 0x200D:
            joined = True
            continue
        if 0x1F1E6 <= o <= 0x1F1FF:  # regional indicators pair into a flag
            ri = not ri
            w += 2 if ri else 0
            continue
        ri = False
        w += 0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in 'WF' else 1
    return w
rows = [l for l in sys.argv[1].splitlines() if 'Эмодзи' in l]
assert len(rows) == 2, rows
assert len({width(l) for l in rows}) == 1, [width(l) for l in rows]
assert any('Эмодзи 👍🏽 семья 👨‍👩‍👧 флаг 🇷🇺 конец' in l for l in rows), rows
cut = [l for l in rows if 'длинное' in l][0].split('…')[0]
assert cut.endswith('👨‍👩‍👧'), cut[-12:]
PY

echo "cli smoke test: all checks passed"
