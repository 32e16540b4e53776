#!/usr/bin/env bash
# Fuzz every parser of fanzha-core one after another for SECONDS each (default 120), starting
# from a few seed inputs per target, and print libFuzzer's final figures per target.
# Needs cargo-fuzz (`cargo install cargo-fuzz`); the stable toolchain is told to accept the
# nightly sanitizer flags with RUSTC_BOOTSTRAP=1.
set -euo pipefail
cd "$(dirname "$0")"
SECONDS_EACH="${1:-120}"
export RUSTC_BOOTSTRAP=1

seed() { # target value…
    local t="$1"; shift
    mkdir -p "corpus/$t"
    for v in "$@"; do printf '%s' "$v" > "corpus/$t/seed-$(printf '%s' "$v" | sha1sum | cut -c1-12)"; done
}
seed phone "13800138000" "+86 138 0013 8000" "0574-62345678" "96110" "+1 202 555 0123" "17001234567" "１３８００１３８０００" "1069012345678"
seed resident_id "11010519491231002X" "440524188001010014" "51170220011111988x" "410102900101999" " 510104200002299972"
seed credit_code "91410102MA1ABCD03N" "91350100M000100Y43" "91410102ma1abcd03n" "513601025000000K03"
seed bank_card "6228480123456789015" "6228 4801 2345 6789 015" "370247012345673" "６２２８４８０１２３４５６７８９０１５"
seed money "1,234.56" "1234.56元" "1.2万" "¥88" "￥88.5" "-12.30" "１２３４．５６" "3亿"
seed division_code "33" "3302" "330281" "330281001" "330281001001" "０００"
seed time "2026-01-02 03:04:05" "2026/1/2 3:04" "20260102030405" "2026-01-01T19:04:05.123Z" "1767294245000" "1986-09-14 01:30:00"
seed card_lists $'卡号,户名,证件号码,开户日期,预留手机号,开户网点,网点行政区划代码,经办柜员\n6222021001000000011,张三,11010519491231002X,2026-11-30 10:15,13800138000,余姚城东支行,330281,A01\n' \
    $'卡号,证件号码,销户日期,开户日期\n6222021001000000011,11010519491231002X,2026-11-30,2026-10-01\n' \
    $'手机号码,机主姓名,证件号码,入网时间,销号时间\n13800138000,张三,11010519491231002X,2026-11-01,2026-11-28\n'

seed cleanup_answers $'编号,持卡人,证件号码,核查结果,查见账户数,销户数,限制非柜面数,说明\n12,王小明,330281198001010016,已清理,3,1,2,一户销户\n13,李四,x,本行无账户,,,,\n'

seed operation_targets $'姓名,身份证号,手机号,角色,落地单位,线索\n张三,11010519491231002X,13900001234,车手,330281,取现12万\n李四,330281199001010013,,卡农,阳明街道派出所,\n'
seed joint_tasks $'序号,责任单位,工作任务,完成时限,具体要求\n1,县教育局,组织家长安装国家反诈中心APP,2026-03-31,注册率95%以上\n2,人民银行县支行,排查涉诈账户,2026年4月15日,\n'

seed signal_message '{"type":"call","ts":1764916200000,"caller":8617012345678,"callee":8613812345678,"duration_s":600,"caller_cell":7}' \
    '{"type":"transfer","ts":1764916200000,"txn_id":1,"from":6222021001000000011,"to":6222021001000000029,"amount_fen":500000,"channel":"bank"}' \
    '{"type":"sms","ts":1764916200000,"sender":8617012345678,"recipient":8613812345678,"link_domain":"x.example"}' '{"type":"fax"}'

cargo fuzz build -O
for t in phone resident_id credit_code bank_card money division_code time card_lists cleanup_answers operation_targets joint_tasks signal_message; do
    echo "=== $t"
    cargo fuzz run -O "$t" "corpus/$t" -- -max_total_time="$SECONDS_EACH" -print_final_stats=1 2>&1 \
        | tee "/tmp/fanzha-fuzz-$t.log" | grep -E "^(stat::|Done|==|SUMMARY)|panicked" || true
    echo "corpus files: $(ls "corpus/$t" | wc -l)"
done
