"""Stance cues with scope: words that confirm or contradict, and the negations and hedges that cancel them."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

from matchers.text import has_cjk

Polarity = Literal["confirm", "contradict"]
CueKind = Literal["assert", "measure", "undo", "restrict", "release"]

# "assert": the thing happened (announced, signed, took effect). "undo": it was reversed or denied.
# "measure": a figure was reached or moved (hit, topped, fell to) — confirms only beside the claim's own figure.
# "restrict": something was stopped (ban, block, halt) — confirms a claim that *is* a restriction,
#             contradicts any other claim ("judge blocks the fee").
# "release": a restriction was loosened (lifted, licence granted, allowed to resume) — the mirror image.
_CUES: dict[CueKind, tuple[str, ...]] = {
    "assert": (
        r"announc(?:e|es|ed|ing)", r"unveil(?:s|ed)?", r"sign(?:s|ed)?", r"ink(?:s|ed)?", r"seal(?:s|ed)?",
        r"finali[sz](?:e|es|ed)", r"clos(?:es|ed) (?:the |its )?(?:deal|investment|round|transaction)",
        r"t(?:akes|ook|aking|aken) effect", r"(?:goes|went|came|comes) into (?:effect|force)", r"in effect",
        r"effective (?:immediately|today|from|on)", r"uph(?:eld|olds?)", r"approv(?:e|es|ed|al)",
        r"complet(?:e|es|ed)", r"deploy(?:s|ed)", r"rais(?:es|ed) (?:\w+ ){0,2}(?:guidance|forecast|outlook)",
        r"confirm(?:s|ed)", r"agree(?:s|d)?", r"reach(?:es|ed) (?:an? )?(?:deal|agreement)", r"launch(?:es|ed)",
        r"commit(?:s|ted)", r"pledg(?:e|es|ed)", r"reaffirm(?:s|ed)", r"on track", r"(?:goes|went) live",
        r"(?:came|comes) online", r"mak(?:e|es|ing) (?:its |the |a )?first", r"releas(?:es|ed) (?:\S+ ){0,4}(?:tranche|instal?lment|payment)", r"switch(?:es|ed)? on", r"power(?:s|ed)? (?:up|on)", r"begins? operating", r"(?:remains?|stays?|still) (?:in (?:effect|place|force)|valid)", r"impos(?:e|es|ed)", r"enforc(?:e|es|ed|ing)", r"collect(?:s|ed|ing)",
        r"charg(?:es|ed|ing)", r"expand(?:s|ed)", r"invest(?:s|ed)", r"secur(?:es|ed)", r"won(?!')", r"wins", r"extend(?:s|ed)? the", r"(?:now |begun |began |begins |start(?:s|ed)? )shipping", r"ship(?:s|ped)? to (?:customers|partners)", r"(?:in|enters?|entered) (?:full |volume |mass )?production", r"交付", r"出货", r"量产",
        # Filing and Federal Register wording: an 8-K's "entered into a securities purchase agreement", "NVIDIA
        # purchased shares"; a notice's "the payment required for new petitions", "petitions … will be denied".
        r"enter(?:s|ed)? into (?:\w+ ){0,5}(?:agreements?|contracts?)", r"purchas(?:es|ed)", r"(?:is|are|was|were|remains?) required",
        r"required (?:for|of|by|with)", r"(?:continue to |will be )?den(?:y|ied) (?:\w+ ){0,2}petitions?", r"petitions? (?:\w+ ){0,3}(?:will be |are |is )denied",
        # Undoing what undid the claim reinstates it: "Ninth Circuit pauses injunction", "stays the order blocking".
        r"(?:stay(?:s|ed)?|paus(?:e|es|ed)|lift(?:s|ed)?|vacat(?:e|es|ed)|overturn(?:s|ed)?|revers(?:e|es|ed)|suspend(?:s|ed)?|"
        r"dissolv(?:e|es|ed)|block(?:s|ed)?) (?:[\w-]+ ){0,3}(?:injunction|restraining order)s?",
        r"(?:撤销|暂停|中止|推翻|解除)[^，。；,]{0,6}禁制令",
        r"成为", r"已占", r"居[^，。；,]{0,8}之?首", r"位居", r"排名第一",
        r"宣布", r"签署", r"签约", r"签订", r"达成", r"生效", r"批准", r"完成", r"部署", r"确认", r"证实", r"上线",
        r"投产", r"继续有效", r"仍然有效", r"依然有效", r"启动", r"实施", r"维持", r"落地", r"征收", r"敲定", r"官宣", r"投资",
    ),
    "measure": (
        r"surpass(?:es|ed)", r"(?<!on )top(?:s|ped)?(?! of)", r"exceed(?:s|ed)", r"hit(?:s)?", r"reach(?:es|ed)?", r"record",
        r"f(?:ell|allen|alls)", r"drop(?:s|ped)", r"declin(?:e|es|ed)(?! to)", r"rose", r"grew", r"jump(?:s|ed)",
        r"surg(?:e|es|ed)", r"climb(?:s|ed)", r"increas(?:e|es|ed)", r"doubl(?:e|es|ed)", r"tripl(?:e|es|ed)",
        r"total(?:s|led|ed)?", r"stands? at", r"now (?:has|have|at)", r"crossed", r"passes|passed",
        r"降至", r"降到", r"跌至", r"增长", r"升至", r"突破", r"达到", r"超过",
    ),
    "undo": (
        r"cancel(?:s|l?ed|l?ing|lation)?", r"scrap(?:s|ped|ping)?", r"stall(?:s|ed)?", r"on ice", r"shelv(?:e|es|ed)",
        r"str(?:uck|ikes?|iking) down", r"vacat(?:e|es|ed)", r"halv(?:e|es|ed)", r"cut in half", r"rescind(?:s|ed)?",
        r"revok(?:e|es|ed)", r"repeal(?:s|ed|ing)?", r"void(?:s|ed)?", r"nullif(?:y|ies|ied)", r"unconstitutional", r"违宪", r"no assurance", r"无法保证",
        r"end(?:s|ed|ing)? (?:\w+ ){0,3}(?:talks|plans?|deal|partnership|agreement|arrangement)", r"no further",
        r"slip(?:s|ped)? (?:\w+ ){0,2}(?:to|into)", r"push(?:es|ed)? (?:back|out|to|into)", r"delay(?:s|ed)?", r"推迟", r"延期", r"延后", r"延至", r"延到", r"abandon(?:s|ed)?", r"call(?:s|ed)? off", r"walk(?:s|ed)? away",
        r"pull(?:s|ed)? out", r"back(?:s|ed)? out", r"collaps(?:e|es|ed)", r"f(?:ell|alls?) (?:through|apart)",
        r"terminat(?:e|es|ed)", r"den(?:y|ies|ied)", r"refut(?:e|es|ed)", r"debunk(?:s|ed)?", r"false", r"hoax",
        r"fake", r"untrue", r"scal(?:e|es|ed|ing) back", r"slash(?:es|ed)?", r"shr(?:inks?|unk|ank)", r"no longer",
        r"revers(?:e|es|ed)", r"overturn(?:s|ed)?", r"invalidat(?:e|es|ed)", r"enjoin(?:s|ed)?", r"injunction",
        r"unlawful", r"illegal", r"违法", r"非法",
        r"unw(?:ind|inds|inding|ound)", r"unravel(?:s|l?ed|l?ing)?", r"inaccurate", r"生变",
        r"drop(?:s|ped)? (?:\w+ ){0,2}plans?", r"laps(?:e|es|ed)", r"expir(?:e|es|ed)(?! on)", r"downgrad(?:e|es|ed)", r"not (?:yet )?(?:been )?finali[sz]ed",
        r"(?:has|have|had)n't (?:yet )?(?:been )?(?:signed|finali[sz]ed)", r"never (?:signed|finali[sz]ed|materiali[sz]ed)",
        r"(?:has|have|had) not (?:yet )?(?:been )?(?:signed|finali[sz]ed)", r"not (?:yet )?(?:been )?signed",
        r"yet to be (?:signed|finali[sz]ed|completed|closed|approved)",
        r"no (?:signed |definitive |binding )?(?:deal|agreement|contract) (?:has been|was|yet)", r"non-binding",
        r"not (?:yet )?final(?![a-z])", r"subject to (?:\w+ ){0,4}definitive (?:agreements?|documentation)",
        r"may not (?:be )?(?:completed|consummated|finali[sz]ed|result in)", r"(?:can|could) be no assurance", r"not (?:being |been )?(?:acquired|bought)",
        r"取消", r"叫停", r"到期未续", r"未续签", r"未续", r"否认", r"搁置", r"撤销", r"撤回", r"终止", r"推翻", r"放弃", r"破裂", r"告吹", r"缩减",
        r"减半", r"削减", r"缩水", r"下调", r"废除", r"中止", r"谣言", r"不实", r"失效", r"尚未敲定", r"未最终确定", r"未签署",
    ),
    "restrict": (
        r"(?:revok(?:e|es|ed|ing)|withdr(?:ew|aw|aws|awn)|rescind(?:s|ed)?|cancel(?:s|l?ed)?) (?:\w+ ){0,3}licen[cs]es?",
        r"(?:can|could) no longer (?:ship|sell|export)|no longer (?:allowed|permitted) to (?:ship|sell|export)",
        r"not (?:be )?(?:permitted|allowed) to (?:enter|be imported|be sold)|will not be sold",
        r"(?<!from a )presumption of denial", r"need(?:s|ed)? (?:a |an )?(?:export )?licen[cs]e", r"违反[^，。；,]{0,8}(?:管制|禁令)",
        r"violat(?:e|es|ed|ing|ion of) (?:\w+ ){0,3}(?:export controls?|ban|restrictions?)",
        r"(?:撤销|撤回|吊销|收回)[^，。；,]{0,20}许可", r"许可[^，。；,]{0,6}(?:被|遭)?(?:撤销|撤回|吊销|收回)", r"licen[cs]e requirements?", r"requir(?:e|es|ed|ing) (?:\w+ ){0,3}licen[cs]es?",
        r"(?:须|需|必须|需要)(?:获得|申请|取得)?[^，。；,]{0,4}许可", r"无法继续(?:向|对)?[^，。；,]{0,6}(?:交付|出售|出口|销售)", r"不得(?:出售|出口|销售|进口)",
        # Enforcement: penalties and prosecutions show a restriction being applied.
        r"(?:civil |criminal )?penalt(?:y|ies)", r"smuggl\w+", r"indict(?:s|ed|ment)", r"divert(?:ed|ing)|diversion", r"走私", r"罚款",
        r"ban(?:s|ned)?", r"bar(?:s|red)?", r"block(?:s|ed|ing)?", r"restrict(?:s|ed|ions?)?", r"curb(?:s|ed)?",
        r"prohibit(?:s|ed)?", r"tighten(?:s|ed)?", r"blacklist(?:s|ed)?", r"halt(?:s|ed)?", r"paus(?:e|es|ed)",
        r"suspend(?:s|ed)?", r"stop(?:s|ped)? (?:\w+ ){0,2}(?:sales|shipments|exports|production)", r"freez(?:e|es)|froze",
        r"禁止", r"禁售", r"限制", r"封锁", r"收紧", r"暂停", r"停止", r"停售", r"冻结", r"禁令",
    ),
    "release": (
        r"lift(?:s|ed|ing)?", r"eas(?:e|es|ed|ing)", r"loosen(?:s|ed)?", r"relax(?:es|ed)?", r"resum(?:e|es|ed|ption)",
        r"restor(?:e|es|ed|ing)", r"reinstat(?:e|es|ed|ing)",
        r"allow(?:s|ed)? (?:\w+ ){0,4}(?:to )?(?:sell|ship|export|resume|buy|purchase|import|sales|exports|shipments)",
        r"in exchange for (?:\w+ ){0,2}licen[cs]es", r"换取[^，。；,]{0,12}许可", r"放行", r"licen[cs]es? (?:were |was |are |is )?(?:granted|approved|issued)",
        r"licen[cs]es? (?:[\w-]+ ){0,5}(?:being |be )(?:drafted|prepared|issued|granted|approved)",
        r"grant(?:s|ed)? (?:\w+ ){0,3}licen[cs]es?", r"approv(?:e|es|ed|ing) (?:\w+ ){0,4}(?:sales|exports|shipments|licen[cs]es)",
        r"(?:issu|grant)(?:e|es|ed|ing)? (?:\w+ ){0,3}licen[cs]es", r"clear(?:s|ed) (?:\S+ ){0,3}for (?:chinese|china|export|sale)",
        r"green ?light(?:s|ed)?", r"go-ahead", r"(?:can|could|will be able to) (?:now )?(?:sell|ship|export)",
        r"(?:secur|obtain)(?:e|es|ed|ing|s)? (?:\w+ ){0,2}licen[cs]es?", r"clear(?:s|ed) (?:\w+ ){0,3}to (?:sell|ship|export)", r"unban(?:s|ned)?",
        r"(?:shipments|sales|exports) (?:\w+ ){0,2}under (?:\w+ ){0,2}licen[cs]es", r"licen[cs]ed (?:[\w-]+ ){0,4}(?:sales|shipments|exports)", r"case-by-case (?:review|basis)", r"逐案审查",
        r"regain(?:s|ed)? (?:\w+ ){0,2}(?:foothold|market|share|access)", r"return(?:s|ed)? to (?:the )?chin\w*(?: market)?",
        r"re-?enter(?:s|ed)? (?:the )?chin\w*", r"win(?:s|ning)? back", r"won back", r"clear(?:s|ed)? customs",
        r"(?:依|凭|根据)[^，。；,]{0,4}许可证?(?:出货|出口|销售|发货|向)", r"重返", r"回归中国", r"重新进入", r"重回",
        r"恢复", r"解除", r"批准[^，。；,]{0,12}出口", r"获准", r"(?:获得|拿到|取得|获)[^，。；,]{0,16}许可", r"发放[^，。；,]{0,8}许可", r"放宽", r"获批", r"松绑", r"许可证获批", r"允许",
    ),
}

# Words that, shortly before a cue in the same sentence, cancel it: "not cancelled", "denies … was cancelled".
_NEGATION = re.compile(
    r"(?:\b(?:not|no|never|without|neither|nor|dismiss(?:es|ed)? (?:reports?|claims?|talk)|"
    r"declin(?:es|ed|ing) to|refus(?:es|ed|ing) to|fail(?:s|ed)? to|rules? out|ruled out|no plans? to|unlikely to|"
    r"won't|wouldn't|isn't|wasn't|aren't|weren't|hasn't|haven't|didn't|doesn't|don't|den(?:y|ies|ied|ying)|lack(?:s|ed|ing)?|"
    r"reject(?:s|ed)?|refut(?:e|es|ed))\b|n't\b)[^.;:!?。；！？]{0,60}$"
    r"|(?:否认|无意|驳回|拒绝)[^。；！？：:\s]{0,30}$|(?:不|未|没有|并未|没)[^。；！？，,：:\s]{0,6}$"
)
# A court or agency turning down a request scopes over the whole request: "denied an emergency request from a
# coalition of universities and hospitals to suspend the $100,000 charge".
_REFUSAL = re.compile(r"\b(?:den(?:y|ies|ied|ying)|reject(?:s|ed)?|refus(?:es|ed|ing)|declin(?:es|ed|ing))\b"
                      r"[^.;:!?]{0,110}\b(?:request|bid|motion|application|petition|call|plea)s?\b[^.;:!?]{0,60}$")
# Uncertainty that makes a cue a report of possibility, not of fact.
# An English hedge anywhere in the 80 characters before a cue takes the cue's side away ("sues to block…"); the
# 40-character reach applies to the last Chinese word only. Narrowing it to 40 for all was measured: worse on dev
# and training alike.
_HEDGE_ANY = re.compile(
    r"\b(?:may|might|could|would|consider(?:s|ing)?|weigh(?:s|ing)?|mull(?:s|ing)?|if|whether|reportedly|rumou?rs?|"
    r"speculat\w*|possibl[ey]|potential(?:ly)?|in talks|talks? (?:to|of|about)|asks?|ask(?:ed|ing)|sues?|sued|"
    r"seek(?:s|ing)?|urg(?:e|es|ed)|call(?:s|ed)? (?:for|on)|warn(?:s|ed)?|fears?|risks?|threat(?:en|ens|ened)?)\b"
    r"|可能|或将|考虑|传闻|据传|拟|寻求|呼吁"
    r"[^.;:!?。；！？]{0,40}$"
)
# A concession scopes over its own clause only: "despite the delay chatter, the contract is intact".
_CONCESSION = re.compile(r"\b(?:despite|in spite of|notwithstanding)\b[^,;:.!?]{0,60}$|(?:尽管|虽然|即便|即使)[^，,；;。]{0,30}$")
_HEDGE_UNDO = re.compile(
    r"\b(?:plans? to|planning to|set to|poised to|expected to|likely to|aims? to|wants? to|propos(?:e|es|ed|al) to|"
    r"moves? to|vows? to|seeks? to|threatens? to|bill to|legislation (?:to|that would)|introduc\w+ (?:a )?(?:bill|legislation))\b[^.;:!?]{0,30}$|计划"
)

def _compile(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """One pattern per kind, and its English part alone for ASCII sentences; English cues are whole words (one
    shared look-around is much faster than one each)."""
    english = rf"(?<![a-z])(?:{'|'.join(p for p in patterns if p.isascii())})(?![a-z])"
    chinese = "|".join(p for p in patterns if not p.isascii())
    return re.compile(english + (f"|{chinese}" if chinese else "")), re.compile(english)


# Every Chinese cue starts with a Chinese character, so an ASCII sentence is scanned by the English part only: the
# same matches, in about half the time (each position no longer tries a hundred Chinese alternatives).
_COMPILED: tuple[tuple[CueKind, re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (kind, *_compile(patterns)) for kind, patterns in _CUES.items()
)
_REFUSED_AFTER = re.compile(r"\s?(?:申请)?(?:被|遭|遭到)(?:法院|法官)?(?:驳回|拒绝|否决)|\s(?:request |bid |motion )?(?:was |were )?(?:denied|rejected|refused)\b")
_DENIAL = re.compile(r"den(?:y|ies|ied|ying)|reject(?:s|ed)?|refut(?:e|es|ed)|dismiss(?:es|ed)?|否认|驳回")


# A restriction named as a noun is the title of a rule ("Restriction on Entry of Certain Nonimmigrant Workers"),
# not something done to a claim that is not itself a restriction.
_RULE_NOUNS = frozenset({"restriction", "restrictions", "禁令"})


@dataclass(frozen=True, slots=True)
class Cue:
    """A stance word found in text, with whether a negation or a hedge scopes over it."""

    kind: CueKind
    text: str
    start: int
    negated: bool = False
    hedged: bool = False

    def polarity(self, restriction_claim: bool) -> Polarity | None:
        """What the cue says about a claim (None when negated or hedged); restriction claims flip block/lift."""
        if self.hedged:
            return None
        if self.negated:
            # "denies the deal was cancelled", "fee not blocked": a refuted contradiction supports the claim;
            # "has not approved new licences" leaves a ban in place.
            if self.kind == "release":
                return "confirm" if restriction_claim else None
            undone = self.kind == "undo" or (self.kind == "restrict") != restriction_claim
            return "confirm" if undone else None
        if self.kind in ("assert", "measure"):
            return "confirm"
        if self.kind == "undo":
            return "contradict"
        if self.kind == "restrict":
            if restriction_claim:
                return "confirm"
            return None if self.text in _RULE_NOUNS else "contradict"
        return "contradict" if restriction_claim else "confirm"

    @property
    def label(self) -> str:
        """How the cue reads in a `why` line: "cancelled", "not: cancelled", "hedged: may cancel"."""
        if self.negated:
            return f"negated {self.text!r}"
        if self.hedged:
            return f"hedged {self.text!r}"
        return repr(self.text)


_RESTRICTION_CLAIM = re.compile(
    r"\b(?:bars?|barred|barring|bans?|banned|banning|restrict\w*|export controls?|prohibit\w*|blocks?|blocked|curbs?)\b|禁止|管制|限制"
)


def restriction_word_at(statement: str) -> int:
    """Where a restriction claim's statement names its restriction ("bar", "export controls"), or -1."""
    found = _RESTRICTION_CLAIM.search(statement)
    return -1 if found is None else found.start()


def is_restriction(statement: str) -> bool:
    """True when a claim asserts a ban or restriction, so "lifted"/"licence granted" contradict it."""
    lowered = statement.lower()
    if _RESTRICTION_CLAIM.search(lowered) is None:
        return False
    # "After the ban was lifted, NVIDIA may sell…" is a claim about the release, not the restriction.
    return not any(cue.kind == "release" for cue in find_cues(lowered))


def find_cues(sentence: str) -> list[Cue]:
    """The stance cues in one normalised sentence, each marked negated/hedged by what precedes it."""
    raw: list[tuple[int, int, CueKind]] = []
    ascii_only = sentence.isascii()
    for kind, pattern, english in _COMPILED:
        raw.extend((m.start(), m.end(), kind) for m in (english if ascii_only else pattern).finditer(sentence))
    raw.sort(key=lambda r: (r[0], -(r[1] - r[0])))
    spans: list[tuple[int, int, CueKind]] = []
    for start, end, kind in raw:  # keep the longest cue at each place ("not finalised" over "finalised")
        if spans and start < spans[-1][1]:
            continue
        spans.append((start, end, kind))
    cues: list[Cue] = []
    consumed: set[int] = set()
    for start, end, kind in spans:
        kind = _kind_by_object(sentence, start, end, kind)
        before = sentence[max(0, start - 80) : start]
        negation = _NEGATION.search(before)
        negated = negation is not None and kind != "undo" or (
            negation is not None and kind == "undo" and not sentence[start:end].startswith(("not", "no ", "never"))
        )
        refusal = None if negated else _REFUSAL.search(sentence, max(0, start - 200), start)
        if refusal is not None:
            negated, negation = True, refusal
            before = sentence[refusal.start() : start]
        if negated and negation is not None and _DENIAL.search(negation.group(0)[:12]):
            # "denies the deal was cancelled": the denial scopes over the cue, so it is no contradiction itself.
            denial_at = negation.start() if refusal is not None else max(0, start - 80) + negation.start()
            consumed.update(i for i, cue in enumerate(cues) if cue.start == denial_at)
        if kind == "restrict" and cues and cues[-1].kind in ("release", "undo") and start - cues[-1].start < 25:
            continue  # "lifts the ban", "reversing the ban": the ban is what was undone, not a new restriction
        if not negated and _REFUSED_AFTER.match(sentence, end):
            negated = True  # "申请临时禁令被驳回": the injunction was refused
        if kind == "undo" and _DENIES_A_REPORT.match(sentence[start:end]) and (
                reported := _denied_report(sentence, start, end)) is not None:
            # "Nvidia denies report the pact is being unwound", "报道不实": what was denied is somebody's story;
            # whatever that story said is negated, and the denial itself takes no side.
            cues = [replace(cue, negated=True) if reported[0] <= cue.start < reported[1] else cue for cue in cues]
            continue
        hedged = _HEDGE_ANY.search(before) is not None or _CONCESSION.search(before) is not None or (
            kind not in ("assert", "measure") and _HEDGE_UNDO.search(before) is not None)
        cues.append(Cue(kind, sentence[start:end], start, negated, hedged))
    return [cue for i, cue in enumerate(cues) if i not in consumed]


# What a cue acts on can turn it round. Restoring a restriction restricts ("恢复加征关税", "reinstates tariffs");
# cancelling or halting trade restricts it ("cancel orders of the RTX Pro 6000D", "H20对华销售再度叫停").
_RESTORE = re.compile(r"resum|restor|reinstat|reimpos|恢复|重新")
_STOPPING = re.compile(r"cancel|scrap|terminat|end|drop|call|revok|rescind|withdr|abandon|叫停|取消|终止|撤销|撤回|收回|中止")
_RESTRICTION_OBJECT = re.compile(
    r"\b(?:bans?|curbs?|controls?|restrictions?|tariffs?|sanctions?|embargo(?:es)?|blacklist)\b|禁令|管制|限制|关税|制裁|禁售")
_BURDEN_OBJECT = re.compile(_RESTRICTION_OBJECT.pattern + r"|\b(?:levy|levies|fees?|tax|taxes|requirements?|conditions?|"
                            r"charges?|payments?|revenue.share\w*)\b|费|税|分成|上缴")
_COMMERCE_OBJECT = re.compile(
    r"\b(?:orders?|sales|purchases?|purchasing|shipments?|exports?|imports?|deliveries|licen[cs]es?|testing)\b|"
    r"订单|采购|订购|销售|出口|进口|发货|交付|许可|出货")


def _kind_by_object(sentence: str, start: int, end: int, kind: CueKind) -> CueKind:
    after = sentence[end : end + 30]
    if has_cjk(sentence[start:end]):
        # Chinese puts the object before a verb as often as after it ("H20对华销售再度叫停").
        after = sentence[max(0, start - 10) : start] + " " + sentence[end : end + 12]
    if kind == "release" and _RESTORE.match(sentence, start) and _RESTRICTION_OBJECT.search(after):
        return "restrict"
    if kind == "undo" and _STOPPING.match(sentence, start) and _COMMERCE_OBJECT.search(after) \
            and not _BURDEN_OBJECT.search(after):
        return "restrict"
    return kind


_DENIES_A_REPORT = re.compile(r"den(?:y|ies|ied|ying)|reject|refut|dismiss|false|untrue|inaccurate|fake|hoax|不实|谣言|否认")
_REPORT = re.compile(r"\b(?:reports?|reported|rumou?rs?|stor(?:y|ies)|articles?|speculation|claims?)\b|报道|传闻|消息|说法")


def _denied_report(sentence: str, start: int, end: int) -> tuple[int, int] | None:
    """The span of the report a denial refers to: after "denies report that…", before "…report is false"."""
    if has_cjk(sentence[start:end]) and _REPORT.search(sentence, max(0, start - 40), start):
        # "合作已暂停的报道不实": the reported content stands before 报道, from the clause's start.
        clause = max(sentence.rfind(mark, 0, start) for mark in ("，", ",", "：", ":", "；", ";"))
        return clause + 1, start
    following = _REPORT.search(sentence, end, end + 25)
    if following is not None:
        stop = min((sentence.find(mark, following.end()) for mark in (";", "；", "。", ", but", ", adding")
                    if sentence.find(mark, following.end()) != -1), default=len(sentence))
        return following.start(), stop
    preceding = [found for found in _REPORT.finditer(sentence, max(0, start - 90), start)]
    if preceding:
        return preceding[0].start(), start
    return None
