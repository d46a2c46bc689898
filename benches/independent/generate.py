#!/usr/bin/env python3
"""A second, independent generator of synthetic testimony and researcher-style queries.

Owns: its own Korean and English vocabulary and grammar, the corpus and the query set it writes.
Must not: borrow vocabulary or structure from src/generate.rs. It shares with the service only the
record and query formats and index-schema/ (gazetteer ids and spellings, violation codes and
terms), so that facets and filters resolve. Everything it writes is synthetic and fictional: no
person is named and no sentence comes from a real report.

    python3 benches/independent/generate.py --seed 1 --testimonies 20000 --queries 1000 --out DIR

writes DIR/corpus.jsonl (one testimony a line) and DIR/queries.jsonl (one search request a line).
The same arguments give the same bytes. The corpus depends on --seed and --testimonies only, so
changing --queries leaves it unchanged. Python 3.11, standard library only.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import sys
import time
import tomllib
from collections import Counter
from pathlib import Path

YEARS = (1990, 2021)
MIN_PASSAGE_WORDS, MAX_PASSAGE_WORDS = 15, 120
ZIPF_S = 0.9
HERE = Path(__file__).resolve().parent
DEFAULT_SCHEMA = HERE.parent.parent / "index-schema"

# ====================================================================================================
# Hangul: syllable arithmetic and the sound changes the grammar below needs
# ====================================================================================================

_BASE, _V_COUNT, _F_COUNT = 0xAC00, 21, 28
# Vowel indices.
V_A, V_AE, V_YA, V_EO, V_E, V_YEO, V_O, V_WA, V_WAE, V_OE, V_U, V_WO, V_WI, V_EU, V_UI, V_I = (
    0, 1, 2, 4, 5, 6, 8, 9, 10, 11, 13, 14, 16, 18, 19, 20)
V_YAE = 3
# Final-consonant indices.
F_NONE, F_N, F_D, F_L, F_B, F_S, F_SS, F_H = 0, 4, 7, 8, 17, 19, 20, 27
BRIGHT = (V_A, V_O, V_YA, V_WA)


def is_hangul(ch: str) -> bool:
    return "\uac00" <= ch <= "\ud7a3"


def split_syllable(ch: str) -> tuple[int, int, int]:
    code = ord(ch) - _BASE
    return code // (_V_COUNT * _F_COUNT), (code // _F_COUNT) % _V_COUNT, code % _F_COUNT


def syllable(lead: int, vowel: int, final: int = F_NONE) -> str:
    return chr(_BASE + (lead * _V_COUNT + vowel) * _F_COUNT + final)


def final_of(word: str) -> int:
    ch = word[-1]
    if is_hangul(ch):
        return split_syllable(ch)[2]
    # Digits and Latin letters as read aloud: 1 il, 3 sam, 6 yuk, 7 chil, 8 pal, 0 yeong, 10 sip.
    return {"0": 21, "1": F_L, "3": 16, "6": 1, "7": F_L, "8": F_L}.get(ch, F_NONE)


def with_final(word: str, final: int) -> str:
    lead, vowel, _ = split_syllable(word[-1])
    return word[:-1] + syllable(lead, vowel, final)


def particle(noun: str, pair: str) -> str:
    """Attaches a particle, choosing the form by the noun's last sound: 은/는, 이/가, 을/를, 과/와,
    으로/로 (로 after a vowel or ㄹ), 이나/나, 이었다/였다."""
    if "/" not in pair:
        return noun + pair
    after_consonant, after_vowel = pair.split("/")
    final = final_of(noun)
    if after_consonant.startswith("으로"):
        return noun + (after_vowel if final in (F_NONE, F_L) else after_consonant)
    return noun + (after_consonant if final != F_NONE else after_vowel)


class Predicate:
    """A Korean verb or adjective stem and its conjugated forms.

    `irregular` names the stem class where the regular rules fail: ㄷ (듣 → 들어), ㅂ (춥 → 추워),
    ㅂ와 (돕 → 도와), ㅅ (낫 → 나아), ㅎ (하얗 → 하얘). 르 stems are irregular unless listed as regular.
    """

    REGULAR_REU = ("따르", "들르", "치르")

    def __init__(self, stem: str, irregular: str | None, adjective: bool):
        self.stem = stem
        self.irregular = irregular
        if irregular is None and stem.endswith("르") and len(stem) > 1 and stem not in self.REGULAR_REU:
            self.irregular = "르"
        self.adjective = adjective
        self.l_stem = self.irregular is None and split_syllable(stem[-1])[2] == F_L
        self.a = self._a_form()
        self.eu = self._eu_stem()
        past = with_final(self.a, F_SS)
        self.past = past
        self.forms = self._forms(past)

    def _a_form(self) -> str:
        stem, irr = self.stem, self.irregular
        lead, vowel, final = split_syllable(stem[-1])
        pre = stem[:-1]
        bright = vowel in BRIGHT
        if stem.endswith("하"):
            return pre + "해"
        if irr == "ㄷ":
            return pre + syllable(lead, vowel, F_L) + ("아" if bright else "어")
        if irr in ("ㅂ", "ㅂ와"):
            return pre + syllable(lead, vowel) + ("와" if irr == "ㅂ와" else "워")
        if irr == "ㅅ":
            return pre + syllable(lead, vowel) + ("아" if bright else "어")
        if irr == "ㅎ":
            changed = {V_A: V_AE, V_YA: V_YAE, V_EO: V_AE}.get(vowel, vowel)
            return pre + syllable(lead, changed)
        if irr == "르":
            p_lead, p_vowel, _ = split_syllable(pre[-1])
            return pre[:-1] + syllable(p_lead, p_vowel, F_L) + ("라" if p_vowel in BRIGHT else "러")
        if final != F_NONE:
            return stem + ("아" if bright else "어")
        if vowel == V_EU:
            if pre and split_syllable(pre[-1])[1] in BRIGHT:
                return pre + syllable(lead, V_A)
            return pre + syllable(lead, V_EO)
        contracted = {V_O: V_WA, V_U: V_WO, V_I: V_YEO, V_OE: V_WAE}.get(vowel)
        if contracted is not None:
            return pre + syllable(lead, contracted)
        if vowel in (V_WI, V_UI):
            return stem + "어"
        return stem  # ㅏ ㅓ ㅐ ㅔ ㅕ: the ending's vowel merges

    def _eu_stem(self) -> str:
        """The stem before endings that start with 으 after a consonant (으면, 은, 을, 으니까)."""
        stem, irr = self.stem, self.irregular
        lead, vowel, final = split_syllable(stem[-1])
        pre = stem[:-1]
        if irr == "ㄷ":
            return pre + syllable(lead, vowel, F_L) + "으"
        if irr in ("ㅂ", "ㅂ와"):
            return pre + syllable(lead, vowel) + "우"
        if irr == "ㅅ":
            return pre + syllable(lead, vowel) + "으"
        if irr == "ㅎ":
            return pre + syllable(lead, vowel)
        if final in (F_NONE, F_L):
            return stem
        return stem + "으"

    def _dropped_l(self) -> str:
        """ㄹ stems lose their ㄹ before ㄴ, ㅂ and ㅅ: 살 → 사는, 삽니다, 사셨다."""
        return with_final(self.stem, F_NONE) if self.l_stem else self.stem

    def _n(self) -> str:  # -(으)ㄴ
        return with_final(self._dropped_l() if self.l_stem else self.eu, F_N)

    def _l(self) -> str:  # -(으)ㄹ
        return self.stem if self.l_stem else with_final(self.eu, F_L)

    def _formal(self) -> str:  # -(스)ㅂ니다
        final = split_syllable(self.stem[-1])[2]
        if self.l_stem or final == F_NONE:
            return with_final(self._dropped_l(), F_B) + "니다"
        return self.stem + "습니다"

    def _forms(self, past: str) -> dict[str, str]:
        stem, a, eu = self.stem, self.a, self.eu
        f = {
            "past": past + "다",
            "past_formal": past + "습니다",
            "past_polite": past + "어요",
            "present_formal": self._formal(),
            "and": stem + "고",
            "so": a + "서",
            "but": stem + "지만",
            "past_but": past + "는데",
            "because": (self._dropped_l() if self.l_stem else eu) + "니까",
            "while": (stem if self.l_stem else eu) + "면서",
            "if": (stem if self.l_stem else eu) + "면",
            "when": self._l() + " 때",
            "not": stem + "지 않았다",
            "not_formal": stem + "지 않았습니다",
            "past_q": past + "습니까",
            "past_q_polite": past + "나요",
            "hon_q": (self._dropped_l() if self.l_stem else eu) + "셨습니까",
            "hon_q_polite": (self._dropped_l() if self.l_stem else eu) + "셨어요",
            "adnominal_past": self._n(),
        }
        if self.adjective:
            f["adnominal"] = self._n()
            f["then"] = self._n() + "데"
        else:
            f["adnominal"] = self._dropped_l() + "는"
            f["then"] = self._dropped_l() + "는데"
            f["cannot"] = stem + "지 못했다"
            f["cannot_formal"] = stem + "지 못했습니다"
            f["had_to"] = a + "야 했다"
            f["had_to_formal"] = a + "야 했습니다"
            f["became"] = stem + "게 되었다"
            f["began"] = stem + "기 시작했다"
            f["was_doing"] = stem + "고 있었다"
            f["in_order"] = (stem if self.l_stem else eu) + "려고"
            f["gave"] = a + " 주었다"
            f["until"] = stem + "다가"
        return f


# ====================================================================================================
# Vocabulary (hand-written for this generator; roughly most to least frequent)
# ====================================================================================================

KO_NOUNS = """
사람 어머니 아버지 집 가족 동생 언니 오빠 형 누나 할머니 할아버지 아들 딸 남편 아내 아이 이웃 친구 동무
물 쌀 밥 옥수수 국수 감자 콩 죽 소금 빵 돈 옷 신발 이불 담요 가방 보따리 약 술 담배
마을 동네 시장 장마당 공장 농장 탄광 학교 병원 역 기차 강 산 길 다리 바다 들판 밭 논 숲
방 부엌 마당 창문 문 벽 바닥 지붕 우물 창고 사무실 복도 지하실 화장실 건물 골목 철길 도로
군인 병사 장교 간부 반장 지배인 당비서 보위원 안전원 경비대원 선생님 학생 의사 간호원 환자 노인 아기 청년
여자 남자 주민 장사꾼 밀수꾼 브로커 운전수 광부 농민 노동자 수감자 죄수 감시원 계호원 조장 작업반장 인민반장
중국인 조선족 목사 신자 상인 손님 주인 집주인 심문관 예심원 검사 판사 재판장 통역원 친척 사촌 삼촌 이모 고모 조카
이야기 소문 소식 말 질문 대답 생각 마음 기억 꿈 걱정 공포 희망 눈물 웃음 소리 목소리 비명 침묵 이유
죄 잘못 벌 처벌 조사 심문 재판 판결 형기 노동 작업 일 장사 배급 식량 굶주림 배고픔 병 상처 고통 추위 더위
피 땀 몸 머리 얼굴 손 발 어깨 등 무릎 허리 가슴 이빨 귀 목 팔 손가락 발가락 머리카락
시간 날 밤 새벽 아침 저녁 낮 오후 겨울 봄 여름 가을 명절 주말 하루 한밤중
회의 총화 강연 학습 규정 명령 지시 허가 신고 감시 단속 검열 보고 비밀 약속 계획 탈출 도주 송환 체포 석방 출소
죽음 장례 결혼 이혼 임신 출산 폭행 구타 욕 모욕 차별 성분 출신 당원 군대 제대 직장 월급 세금 빚 거래 뇌물
권리 자유 법 정부 국가 조직 기관 보위부 안전부 보안서 경비대 공안 세관 초소 국경 감방 독방 감옥 구류장 집결소 단련대 교화소
트럭 버스 배 자전거 오토바이 손전등 칼 총 몽둥이 수갑 밧줄 그릇 숟가락 냄비 솥 물통 배낭 비닐 천 바늘 비누 수건 거울 시계 반지
편지 사진 종이 서류 증명서 여행증 신분증 도장 열쇠 자물쇠 침대 의자 책상 난로 나무 땔감 석탄 기름 휴대폰 전화 라디오 텔레비전 녹화기 알판 책 성경
비 바람 얼음 흙 돌 풀 꽃 하늘 구름 안개 불 연기 강물 강가 강변 산골 언덕 골짜기 절벽 호수 개울
은신처 교회 대사관 공항 호텔 식당 상점 약국 기숙사 합숙소 진료소 정거장 기차역 항구 터널 건너편 시골 도시 시내
선물 상품 물건 짐 천막 자재 비료 씨앗 곡식 고기 생선 계란 두부 김치 된장 간장 설탕 기름병 쌀자루 나물 풀뿌리 도토리
밀가루 보리 수수 강냉이 떡 과자 사탕 라면 통조림 약초 인삼 아편 빙두 마약 필름 동전 지폐 인민폐 달러 중국돈 외화
소대 중대 부대 조 작업반 인민반 분주소 파출소 군당 도당 시당 청년동맹 여맹 직맹 소년단 협동농장 기업소 돌격대
규율 사상 혁명 충성 반역 간첩 배신 고발 밀고 자백 진술서 조서 서약서 반성문 명단 기록 문건 판결문
밤길 산길 눈길 강둑 철조망 울타리 담장 감시탑 정문 뒷문 마차 짐차 화물차 객차 선로 기관차 조차장
가마니 바구니 자루 통 상자 궤짝 이불보 솜옷 털모자 장갑 양말 운동화 장화 군복 작업복 죄수복 머릿수건
""".split()

# Heads and modifiers of compound nouns, written without a space as Korean does; each compound is a
# rare word at the tail of the noun distribution (국경경비, 식량문제, 작업규정 …).
KO_COMPOUND_MODIFIERS = """
국경 식량 노동 작업 보위부 안전부 인민반 농장 공장 탄광 학교 병원 시장 철도 배급 생활 감시 수용소 구류장
중국 마을 가족 주민 비밀 야간 강제 정치 경제 군사 여성 청년 노인 아동 외화 밀수 탈북 송환 교화 단련
""".split()
KO_COMPOUND_HEADS = """
생활 관리 단속 규정 회의 검열 사업 문제 상황 책임자 지도원 일꾼 담당자 기록 명단 문서 건물 구역 시설 초소
자재 물자 계획 과제 동원 총화 조사 위반 통제 경비 제도 질서 사건 처리 대상 기간 현장 비용 구조 체계
""".split()

KO_VERBS = """
가 오 보 먹 마시 자 살 알 모르 일하 하 만나 떠나 나가 나오 들어가 들어오 돌아가 돌아오 내려가 올라가 건너 넘
지나 도착하 출발하 기다리 찾 잃어버리 받 주 보내 팔 사 빌리 갚 숨기 숨 도망치 도망가 달리 뛰 걷:ㄷ 듣:ㄷ
묻:ㄷ 싣:ㄷ 깨닫:ㄷ 돕:ㅂ와 눕:ㅂ 줍:ㅂ 굽:ㅂ 짓:ㅅ 낫:ㅅ 붓:ㅅ 부르 흐르 오르 고르 자르 누르 서두르 따르 들르
치르 쓰 끄 뜨 잠그 모으 만들 놀 울 열 걸 들 밀 끌 벌 떨 빌 흔들 키우 배우 싸우 바꾸 나누 세우 채우 비우 태우
외우 피우 버리 내리 던지 지키 옮기 넘기 남기 맡기 때리 가르치 마치 고치 치 만지 떨어지 넘어지 헤어지 잡 닫
앉 놓 넣 읽 입 씻 웃 믿 죽 참 뽑 묶 붙잡 벗 찍 쉬 타 켜 펴 견디 버티 드리 알리 살리 들리 팔리 열리 걸리
불리 보이 먹이 죽이 속이 모이 쌓이 끌려가 잡히 갇히 맞 빼앗 가지 지내 끝내 꺼내 되 신고하 조사하 심문하
체포하 석방되 이동하 생활하 장사하 거래하 감시하 고발하 요구하 거절하 부탁하 약속하 준비하 결심하 기억하
걱정하 생각하 이야기하 대답하 노동하 작업하 치료하 사망하 결혼하 송환되 구금되 체포되 이송되 배치되 동원되
처벌되 사용하 연락하 통화하 방문하 입원하 출소하 복역하 수감되 강요하 명령하 지시하 보고하 수색하 압수하
몰수하 폭행하 고문하 협박하 위협하 차별하 탈출하 도강하 밀수하 숨어지내 굶 얻 구하 나르 캐 파 심 베 엎드리
꿇 울리 부딪히 토하 앓 굶주리 얼 녹 씹 삼키 훔치 감추 뒤지 살피 지켜보 내다보 엿듣:ㄷ 기도하 두 캐내 씌우
갈아입 붙이 떼 나타나 사라지 흩어지 숨죽이 엿보 꾸리 챙기 팔아넘기 바치 실려가 풀려나 쫓기 쫓겨나 밀려나
""".split()

KO_ADJECTIVES = """
크 작 많 적 좋 나쁘 높 낮 넓 좁 깊 길 짧 멀 가깝:ㅂ 어둡:ㅂ 밝 춥:ㅂ 덥:ㅂ 차갑:ㅂ 뜨겁:ㅂ 무겁:ㅂ 가볍:ㅂ
어렵:ㅂ 쉽:ㅂ 무섭:ㅂ 괴롭:ㅂ 외롭:ㅂ 두렵:ㅂ 더럽:ㅂ 시끄럽:ㅂ 아프 바쁘 슬프 기쁘 배고프 예쁘 조용하 깨끗하
위험하 안전하 가난하 부족하 이상하 엄격하 심하 비슷하 같 낡 젊 빠르 다르 배부르 하얗:ㅎ 까맣:ㅎ 빨갛:ㅎ
파랗:ㅎ 노랗:ㅎ 괜찮 힘들 어리 느리 답답하 불쌍하 억울하 피곤하 건강하 약하 강하 튼튼하 착하 친절하 굵 얇
두껍:ㅂ 딱딱하 부드럽:ㅂ 축축하 따뜻하 시원하 싸 비싸 새롭:ㅂ 낯설 익숙하 유명하 중요하 필요하 어색하 수상하
초라하 허름하 비참하 끔찍하 잔인하 고요하 희미하 캄캄하 썰렁하 불편하 편하 흔하 드물 짜 싱겁:ㅂ 맵:ㅂ 달
""".split()

KO_ADVERBS = """
너무 아주 정말 많이 조금 빨리 천천히 몰래 겨우 다시 또 계속 갑자기 결국 처음에 먼저 나중에 함께 같이 혼자
매일 자주 가끔 항상 전혀 거의 벌써 아직 이미 곧 오래 늦게 일찍 밤새 조용히 열심히 억지로 그냥 바로 직접
우연히 간신히 끝까지 서로 모두 특히 분명히 확실히 아마 제대로 그대로 한참 며칠씩 오랫동안 새로 마침내 도저히
""".split() + ["며칠 동안", "몇 번", "한 번", "두 번", "여러 번"]

KO_DETERMINERS = "그 이 저 어느 모든 여러 다른 몇몇 온 새 옛 한 두 세 네".split()
KO_TIMES = ("그때", "그날", "그해", "그날 밤", "다음 날", "며칠 뒤", "한 달 뒤", "이듬해", "그 전에", "그 뒤로",
            "새벽에", "밤에", "아침에", "저녁에", "점심때", "겨울에", "봄에", "여름에", "가을에", "그 무렵", "얼마 후")
KO_SEASONS = ("봄", "여름", "가을", "겨울", "초봄", "늦가을", "한겨울", "장마철")

# Particles that follow a subject, a place or an object in a clause, with weights.
KO_SUBJECT_PARTICLES = (("은/는", 5), ("이/가", 6), ("도", 2), ("만", 1), ("까지", 1), ("이나/나", 1))
KO_PLACE_PARTICLES = (("에서", 6), ("에", 5), ("으로/로", 3), ("까지", 2), ("부터", 1), ("에서도", 1),
                      ("에는", 1), ("에서는", 1), ("의", 2), ("과/와", 1), ("처럼", 1), ("마다", 1))
KO_OBJECT_PARTICLES = (("을/를", 10), ("도", 2), ("만", 1), ("과/와", 1), ("에게", 1), ("한테", 1), ("보다", 1))
KO_FINALS = (("past", 28), ("past_formal", 24), ("past_polite", 14), ("present_formal", 4), ("not", 3),
             ("not_formal", 3), ("cannot", 3), ("cannot_formal", 2), ("had_to", 4), ("had_to_formal", 3),
             ("became", 3), ("began", 2), ("was_doing", 3), ("gave", 2))
KO_LINKS = (("and", 25), ("so", 18), ("while", 10), ("then", 10), ("past_but", 10), ("but", 8),
            ("because", 5), ("in_order", 4), ("until", 4), ("when", 4), ("if", 2))
KO_QUESTIONS = (("past_q", 4), ("past_q_polite", 3), ("hon_q", 4), ("hon_q_polite", 3))
KO_QUESTION_WORDS = ("언제", "어디서", "누가", "왜", "어떻게", "무엇을", "얼마나", "몇 번이나", "누구와", "어디로")

EN_NOUNS = """
house mother father brother sister family child grandmother grandfather son daughter husband wife neighbour friend
water rice corn noodle potato bean porridge salt bread money coat shoe blanket bag bundle medicine liquor cigarette
village town market factory farm mine school hospital station train river mountain road bridge sea field forest
room kitchen yard window door wall floor roof well storehouse office corridor basement toilet building alley railway
soldier officer cadre leader manager secretary agent policeman guard teacher student doctor nurse patient baby youth
woman man resident trader smuggler broker driver miner farmer worker prisoner inmate warden supervisor interrogator
judge prosecutor interpreter relative cousin uncle aunt nephew pastor believer merchant customer landlord stranger
story rumour news word question answer thought heart memory dream worry fear hope tear laugh sound voice scream silence
crime mistake punishment investigation interrogation trial verdict sentence labour job trade ration food hunger
illness wound pain cold heat blood sweat body head face hand foot shoulder back knee waist chest tooth ear neck arm
finger time day night dawn morning evening afternoon winter spring summer autumn holiday week month year hour
meeting session lecture study rule order instruction permit report inspection secret promise plan escape return
arrest release death funeral marriage divorce pregnancy birth beating insult rank background member army unit
salary tax debt deal bribe right freedom law government state party organisation agency border checkpoint cell
prison camp centre truck bus boat bicycle motorcycle torch knife gun stick handcuff rope bowl spoon pot bucket
backpack plastic cloth needle soap towel mirror watch ring letter photograph paper document certificate pass
stamp key lock bed chair desk stove tree firewood coal oil phone radio television player disc book bible rain
wind ice soil stone grass flower sky cloud fog fire smoke bank hill valley cliff lake stream shelter church embassy
airport hotel restaurant shop pharmacy dormitory clinic port tunnel countryside city downtown gift goods thing
luggage tent material fertiliser seed grain meat fish egg tofu kimchi sugar sack herb ginseng film coin banknote
yuan dollar platoon company brigade team squad committee league cooperative enterprise discipline ideology
revolution loyalty treason spy betrayal informer confession statement pledge list record file fence wall tower
gate wagon carriage track locomotive basket box crate jacket hat glove sock boot uniform scarf
kerosene millet lantern sorghum barley acorn bark pine gravel mud puddle ditch shovel hoe sickle pickaxe cart
sledge ladder bucketful quota tally ledger rollcall denunciation slogan portrait badge loudspeaker siren curfew
blackout ferry raft ravine ridge pasture orchard greenhouse granary brewery sawmill quarry kiln furnace chimney
barracks outpost watchtower compound courtyard shed hut cellar attic staircase hallway doorway threshold latch
padlock chain bolt hinge mattress pillow quilt sandal slipper cap mitten parcel envelope stamp receipt voucher
coupon permit warrant summons transcript notebook pencil ink diary calendar almanac map compass whistle
abacus anvil apron axe bale bandage barrel basin beam bench blade blister bonfire bottle bracelet bran brick
broom bruise bucketload buckle bundle cabbage cabin canal candle canteen canvas cardboard cargo carpet cattle
cauldron chalk charcoal chisel cinder clay cloak clod collar cork cot cradle crust cupboard curtain cushion
dagger debris detergent dough drain drawer dumpling dye embers fabric fabricator ferryman fiddle fishhook flask
flint flour foothill footpath fork fringe fuel funnel garlic garment goat gourd grater griddle gutter hammer
handcart harness hatchet hay hearth helmet hemp hook horse hose husk inkpot jar jug kettle ladle lamp leash
leather lid lime loom lumber mallet mantle mat meadow millstone mop mortar moss mule nail napkin needlework
noose oar onion ox paddle pail pan parsnip pasteboard peddler pepper pestle pig pitchfork plank plough pole
porch pouch pulley pump quarryman radish rag rake rampart reed ribbon rivet rubble rucksack rust saddle sawdust
scale scarecrow scrap seam shack shawl shears sheet shingle shutter sieve silk sinew skillet slab sledgehammer
sling sludge snare soot soybean spade spindle spoonful spool stall stool straw string stump sulphur tar thatch
thimble thread timber tin tongs trough trowel tub turnip twine valve vat vest vinegar wagonload washbasin
wheelbarrow whetstone wick willow wire wool yarn yoke
absence accusation agreement alarm allowance ambush announcement anthem apology appeal arrangement assembly
assignment attempt authority ban bargain betrothal blessing boundary breakdown burial campaign capture ceremony
charge checkup claim collapse complaint condition conduct conflict consent contract control conviction
crackdown custody danger deadline decision defence delay demand departure deportation deposit detail detour
disguise dispute distribution drill duty election emergency enquiry errand estimate eviction evidence exam
exchange excuse exemption exile expedition explanation failure favour fine flight forgery gathering grievance
guarantee harvest hearing hideout illness incident inquiry insult inventory journey judgement lawsuit lesson
loan lookout mission negotiation notice oath offence outbreak parade pardon patrol payment penalty petition
pilgrimage plea procedure proof protest punishment purge raid ransom rebellion recruitment refusal registration
rehearsal relief remark rescue resistance retreat reunion reward riot ritual roster routine rumour sabotage
scandal schedule scheme search sentence settlement shift shortage signal strike struggle suicide summons
supply surrender suspicion testimony theft threat tradition transfer treatment trick truce uprising verdict
vigil visit vote wage warning wedding welfare witness
""".split()
EN_IRREGULAR_PLURALS = {
    "child": "children", "man": "men", "woman": "women", "foot": "feet", "tooth": "teeth", "knife": "knives",
    "wife": "wives", "shelf": "shelves", "sheep": "sheep", "fish": "fish", "yuan": "yuan", "series": "series",
    "policeman": "policemen", "youth": "youths", "corn": "corn", "rice": "rice", "water": "water", "salt": "salt",
    "money": "money", "food": "food", "labour": "labour", "hunger": "hunger", "bread": "bread", "news": "news",
    "millet": "millet", "kerosene": "kerosene", "coal": "coal", "oil": "oil", "soap": "soap", "smoke": "smoke",
    "fog": "fog", "mud": "mud", "potato": "potatoes", "barracks": "barracks", "tofu": "tofu",
    "kimchi": "kimchi", "ginseng": "ginseng", "gravel": "gravel", "barley": "barley", "sorghum": "sorghum", "ice": "ice",
}

# base past [i = intransitive]
EN_VERBS = """
go went i|come came i|see saw|eat ate|drink drank|sleep slept i|live lived i|know knew|work worked i|meet met
leave left|arrive arrived i|wait waited i|find found|lose lost|receive received|give gave|send sent|sell sold
buy bought|borrow borrowed|repay repaid|hide hid|run ran i|walk walked i|hear heard|ask asked|help helped
lie lay i|pick picked|build built|cook cooked|carry carried|call called|cut cut|press pressed|hurry hurried i
follow followed|write wrote|close closed|open opened|make made|play played i|cry cried i|hang hung|pull pulled
push pushed|drag dragged|earn earned|shake shook|raise raised|learn learned|fight fought i|change changed
share shared|fill filled|empty emptied|burn burned|smoke smoked|throw threw|keep kept|move moved|hand handed
beat beat|teach taught|finish finished|fix fixed|hit hit|touch touched|fall fell i|part parted i|catch caught
shut shut|sit sat i|put put|read read|wear wore|wash washed|laugh laughed i|believe believed|die died i
endure endured|grab grabbed|tie tied|take took|rest rested i|ride rode|light lit|spread spread|bear bore
inform informed|save saved|gather gathered i|stack stacked|seize seized|question questioned|arrest arrested
report reported|search searched|confiscate confiscated|threaten threatened|torture tortured|escape escaped i
cross crossed|smuggle smuggled|starve starved i|freeze froze i|chew chewed|swallow swallowed|steal stole
watch watched|pray prayed i|climb climbed|swim swam i|dig dug|plant planted|harvest harvested|load loaded
unload unloaded|pack packed|bury buried|whisper whispered i|shout shouted i|beg begged i|kneel knelt i
bow bowed i|tremble trembled i|recover recovered i|return returned i|travel travelled i|stay stayed i
remember remembered|forget forgot|decide decided i|promise promised|refuse refused|demand demanded
prepare prepared|expect expected|fear feared|notice noticed|count counted|weigh weighed|measure measured
guard guarded|patrol patrolled|release released|transfer transferred|deport deported|sentence sentenced
interrogate interrogated|beat beat|kick kicked|slap slapped|bind bound|blindfold blindfolded|strip stripped
feed fed|cure cured|treat treated|bandage bandaged|bleed bled i|cough coughed i|vomit vomited i|faint fainted i
trade traded|bargain bargained i|bribe bribed|lend lent|owe owed|pay paid|collect collected|deliver delivered
wander wandered i|crawl crawled i|stumble stumbled i|sneak sneaked i|flee fled i|vanish vanished i
appear appeared i|scatter scattered i|huddle huddled i|queue queued i|assemble assembled i|march marched i
accuse accused|admit admitted|announce announced|approach approached|arrange arranged|attack attacked
avoid avoided|bathe bathed i|betray betrayed|bless blessed|boil boiled|bolt bolted|borrow borrowed|breathe breathed i
brew brewed|bribe bribed|chase chased|cheat cheated|chop chopped|comfort comforted|confess confessed|cover covered
crush crushed|cure cured|deny denied|describe described|destroy destroyed|disappear disappeared i|divide divided
drown drowned i|dry dried|embrace embraced|exchange exchanged|explain explained|fetch fetched|float floated i
fold folded|gamble gambled i|glance glanced i|grind ground|guess guessed|haul hauled|heal healed i|hire hired
hunt hunted|ignore ignored|injure injured|insult insulted|invite invited|knit knitted|lift lifted|lock locked
mend mended|milk milked|mourn mourned i|murmur murmured i|obey obeyed|offer offered|pause paused i|peel peeled
persuade persuaded|plead pleaded i|plough ploughed|pour poured|punish punished|quarrel quarrelled i|recognise recognised
repair repaired|rescue rescued|resist resisted|rinse rinsed|roast roasted|rob robbed|rub rubbed|rush rushed i
scold scolded|scrub scrubbed|sew sewed|shelter sheltered|shiver shivered i|sigh sighed i|sink sank i|slip slipped i
smash smashed|sob sobbed i|soak soaked|spill spilled|squat squatted i|stare stared i|stir stirred|suffer suffered i
surrender surrendered i|suspect suspected|sweep swept|swing swung|tear tore|thank thanked|trap trapped|trust trusted
unlock unlocked|vote voted i|wake woke i|warn warned|weave wove|weep wept i|whip whipped|wrap wrapped|yell yelled i
""".replace("\n", "|").split("|")

EN_ADJECTIVES = """
small big old new long short cold warm hot dark bright heavy light hard easy poor rich dirty clean quiet loud
hungry tired sick young strong weak wet dry high low wide narrow deep shallow empty full strange familiar strict
harsh cruel kind gentle secret public dangerous safe broken torn rotten fresh thin thick narrow bitter salty sweet
frozen muddy dusty crowded lonely silent frightened angry sad happy sorry ashamed brave careful nervous desperate
grey black white red yellow green blue brown pale rough smooth sharp blunt tight loose ragged shabby filthy bare
distant nearby remote foreign local northern southern eastern western upper lower inner outer wooden concrete
iron brick stone paper woollen cotton damp stale sour mouldy swollen bruised bloody numb feverish exhausted
anxious awkward bleak brittle bumpy chilly clumsy crooked cunning cramped crude dim drowsy dull eager faint
fierce fragile frail frosty gloomy greasy grim hollow humble icy idle jagged lame lean lukewarm meagre mild
modest murky narrow-minded naked nasty neat noisy obedient odd patient plain polite proud quick rare reckless
restless rigid rotten rusty scarce scared scrawny severe shy sickly skinny sleepy slippery sly sober soft
solemn sore spare steep sticky stiff stubborn sturdy sullen sunken tame tender tense thirsty tidy timid
tiny tough ugly uneasy unfair uneven urgent useless vague vast weary wicked wild wiry worn wretched
""".split()

EN_ADVERBS = """
quickly slowly quietly secretly finally suddenly again often sometimes always never almost already still soon
together alone early late hard barely carefully nearly really just only even once twice later first then
afterwards meanwhile everywhere somewhere nowhere inside outside upstairs downstairs overnight daily weekly
abruptly anxiously badly bitterly briefly calmly cautiously constantly deliberately eagerly endlessly faintly
firmly gently gradually hastily hardly heavily honestly instantly loudly nervously openly patiently politely
promptly rarely roughly sadly seldom sharply silently softly steadily strictly swiftly tightly wearily willingly
""".split()

EN_PREPOSITIONS = ("in", "at", "near", "behind", "under", "from", "to", "with", "without", "across", "along",
                   "inside", "outside", "through", "toward", "beside", "after", "before", "during", "for",
                   "into", "around", "between", "beyond", "past", "over", "by", "on")
EN_SUBJECTS = (("I", 22), ("we", 14), ("they", 10), ("he", 6), ("she", 6), ("my family", 3), ("everyone", 2),
               ("nobody", 1), ("the others", 2), ("some of us", 2))
EN_KIN_ROLES = ("mother", "father", "brother", "sister", "husband", "wife", "son", "daughter", "uncle", "aunt",
                "cousin", "neighbour", "friend", "guard", "officer", "agent", "broker", "leader", "warden",
                "driver", "teacher", "doctor", "supervisor", "interrogator", "secretary", "manager")
EN_DETERMINERS_SINGULAR = ("the", "the", "the", "a", "a", "my", "our", "their", "his", "her", "that", "this",
                           "every", "one", "another", "each")
EN_DETERMINERS_PLURAL = ("the", "the", "some", "many", "few", "those", "these", "two", "three", "several", "our",
                         "their", "all the", "no", "ten", "dozens of", "a few")
EN_TIMES = ("at night", "in the morning", "the next day", "a few days later", "after a while", "that evening",
            "before dawn", "one afternoon", "some weeks later", "at first", "in the end", "by then",
            "the following month", "every day", "for a long time", "around midnight", "that winter",
            "the year after")
EN_SEASONS = ("spring", "summer", "autumn", "winter", "early spring", "late autumn", "rainy season")
EN_QUESTIONS = ("What happened {pp}?", "Who {past} the {noun}?", "How long did you stay {pp}?",
                "Did anyone {base} the {noun}?", "Can you describe the {noun} {pp}?", "Why did they {base} you?",
                "Where did you {base} the {plural}?", "When did you first {base} {pp}?",
                "What did the {role} say about the {noun}?", "How many {plural} were there {pp}?",
                "Were you ever {pp}?", "What was the {noun} like?", "Do you remember the {noun}?",
                "How did you {base} {pp}?", "Who else was {pp}?")
EN_STOPWORDS = set("""a an the and or but if of to in on at by for with from into over under after before during
about as is was were be been being am are it its this that these those there their they them we our us i me my
he him his she her you your not no so then than when where what who why how which while because did do does had
have has could would should can will just also very too up out off once twice""".split())


# ====================================================================================================
# index-schema: places and violations, with the spellings the text and the queries use
# ====================================================================================================

class Place:
    __slots__ = ("id", "kind", "hangul", "latin", "parent")

    def __init__(self, entry: dict):
        self.id = entry["id"]
        self.kind = entry["kind"]
        self.parent = self.id.rsplit("/", 1)[0] if "/" in self.id else None
        spellings = [entry["ko"], entry["en"]] + [entry[k] for k in ("mr", "rr") if k in entry]
        spellings += entry.get("variants", [])
        self.hangul = [s for s in spellings if any(is_hangul(c) for c in s)]
        # Latin spellings only: hanja and hanzi variants stay out of running text and queries.
        self.latin = [s for s in spellings if all(ord(c) < 0x2000 for c in s)]
        short = strip_korean_suffix(entry["ko"])
        if short != entry["ko"] and short not in self.hangul:
            self.hangul.insert(1, short)
        if self.kind in ("county", "city") and self.id.startswith("kp/"):
            self.latin.append(entry["en"] + (" County" if self.kind == "county" else " City"))


def strip_korean_suffix(name: str) -> str:
    for suffix in ("특별시", "직할시", "구역", "시", "군", "도"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


class Violation:
    __slots__ = ("code", "en", "ko", "parent")

    def __init__(self, entry: dict):
        self.code = entry["code"]
        self.parent = self.code.rsplit("/", 1)[0] if "/" in self.code else None
        self.en = [entry["en"].lower()] + entry.get("synonyms_en", [])
        self.ko = [entry["ko"]] + entry.get("synonyms_ko", [])


def load_schema(folder: Path) -> tuple[list[Place], list[Violation]]:
    try:
        with open(folder / "gazetteer.toml", "rb") as f:
            places = [Place(p) for p in tomllib.load(f)["place"]]
        with open(folder / "violations.toml", "rb") as f:
            violations = [Violation(v) for v in tomllib.load(f)["violation"]]
    except (OSError, tomllib.TOMLDecodeError, KeyError) as e:
        sys.exit(f"generate.py: while reading {folder}: {e}")
    return places, violations


# ====================================================================================================
# Sampling
# ====================================================================================================

class Zipf:
    """Draws items with weight 1/rank^s, rank = position in the list. Draws come in batches, since
    one `choices` call per word would dominate the run time."""

    def __init__(self, items: list, rng: random.Random, s: float = ZIPF_S, batch: int = 4096):
        self.items = items
        self.cum = list(itertools.accumulate(1.0 / (r ** s) for r in range(1, len(items) + 1)))
        self.rng = rng
        self.batch = batch
        self.buf: list = []

    def __call__(self):
        if not self.buf:
            self.buf = self.rng.choices(self.items, cum_weights=self.cum, k=self.batch)
        return self.buf.pop()


class Weighted:
    """Draws from (item, weight) pairs, in batches like Zipf."""

    def __init__(self, pairs, rng: random.Random, batch: int = 1024):
        self.items = [p[0] for p in pairs]
        self.cum = list(itertools.accumulate(p[1] for p in pairs))
        self.rng = rng
        self.batch = batch
        self.buf: list = []

    def __call__(self):
        if not self.buf:
            self.buf = self.rng.choices(self.items, cum_weights=self.cum, k=self.batch)
        return self.buf.pop()


def korean_nouns() -> list[str]:
    """The base nouns, then the compounds in a fixed order (the tail is part of the vocabulary, not
    of the seed)."""
    nouns = list(dict.fromkeys(KO_NOUNS))
    known = set(nouns)
    compounds = [m + h for m in KO_COMPOUND_MODIFIERS for h in KO_COMPOUND_HEADS if m != h]
    random.Random(7001).shuffle(compounds)
    return nouns + [c for c in dict.fromkeys(compounds) if c not in known]


def parse_predicates(words: list[str], adjective: bool) -> list[Predicate]:
    out = []
    for w in words:
        stem, _, irr = w.partition(":")
        out.append(Predicate(stem, irr or None, adjective))
    return out


def english_plural(noun: str) -> str:
    if noun in EN_IRREGULAR_PLURALS:
        return EN_IRREGULAR_PLURALS[noun]
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    if noun.endswith("y") and noun[-2] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


# ====================================================================================================
# Passages
# ====================================================================================================

class Mention:
    """What a passage must say about one coded event: where, when, what."""

    __slots__ = ("place", "year", "year_to", "violation")

    def __init__(self, place: Place, year: int, year_to: int | None, violation: Violation):
        self.place, self.year, self.year_to, self.violation = place, year, year_to, violation


class KoreanWriter:
    def __init__(self, rng: random.Random, places: list[Place]):
        self.rng = rng
        r = rng.random
        self.random = r
        self.noun = Zipf(korean_nouns(), rng)
        self.verbs = parse_predicates(KO_VERBS, adjective=False)
        self.adjectives = parse_predicates(KO_ADJECTIVES, adjective=True)
        self.verb = Zipf(self.verbs, rng)
        self.adjective = Zipf(self.adjectives, rng)
        self.adverb = Zipf(KO_ADVERBS, rng)
        self.subject_particle = Weighted(KO_SUBJECT_PARTICLES, rng)
        self.place_particle = Weighted(KO_PLACE_PARTICLES, rng)
        self.object_particle = Weighted(KO_OBJECT_PARTICLES, rng)
        self.final = Weighted(KO_FINALS, rng)
        self.link = Weighted(KO_LINKS, rng)
        self.question = Weighted(KO_QUESTIONS, rng)
        self.places = places
        self.place = Zipf(places, rng, s=0.8)
        self.particle_cache: dict[tuple[str, str], str] = {}

    def attach(self, noun: str, pair: str) -> str:
        key = (noun, pair)
        out = self.particle_cache.get(key)
        if out is None:
            out = self.particle_cache[key] = particle(noun, pair)
        return out

    def noun_phrase(self, pair: str) -> str:
        r = self.random()
        noun = self.attach(self.noun(), pair)
        if r < 0.18:
            return self.adjective().forms["adnominal"] + " " + noun
        if r < 0.24:
            return self.verb().forms["adnominal_past" if r < 0.21 else "adnominal"] + " " + noun
        if r < 0.32:
            return self.rng.choice(KO_DETERMINERS) + " " + noun
        return noun

    def place_name(self, place: Place) -> str:
        names = place.hangul
        r = self.random()
        return names[0] if r < 0.45 or len(names) == 1 else names[1] if r < 0.75 else self.rng.choice(names)

    def year_phrase(self, year: int, year_to: int | None) -> str:
        r = self.random()
        if year_to and year_to != year and r < 0.5:
            return f"{year}년부터 {year_to}년까지"
        if r < 0.12:
            return f"{year % 100:02d}년에"
        if r < 0.45:
            return f"{year}년 {self.rng.choice(KO_SEASONS)}에"
        if r < 0.55:
            return f"{year}년 {self.rng.randint(1, 12)}월에"
        return f"{year}년에"

    def clause(self, ending: str, words: list[str], last: bool) -> None:
        r = self.random
        if r() < 0.12:
            words.append(self.rng.choice(KO_TIMES))
        if r() < 0.55:
            words.append(self.noun_phrase(self.subject_particle()))
        if r() < 0.3:
            words.append(self.noun_phrase(self.place_particle()))
        p = r()
        if p < 0.78:
            if r() < 0.6:
                words.append(self.noun_phrase(self.object_particle()))
            if r() < 0.3:
                words.append(self.adverb())
            forms = self.verb().forms
        elif p < 0.95:
            if r() < 0.3:
                words.append(self.adverb())
            forms = self.adjective().forms
        else:
            # existence: …이/가 있었다 / 없었다
            words.append(self.attach(self.noun(), "이/가"))
            forms = EXIST if r() < 0.6 else NOT_EXIST
        # Adjectives have no 려고, 다가 or 지 못했다: they take the plainest ending of the same place.
        words.append(forms.get(ending) or forms["past" if last else "and"])

    def sentence(self, words: list[str]) -> None:
        n = 1 + (self.random() < 0.55) + (self.random() < 0.2)
        for _ in range(n - 1):
            self.clause(self.link(), words, last=False)
        self.clause(self.final(), words, last=True)
        words[-1] += "."

    def question_sentence(self, words: list[str]) -> None:
        r = self.random()
        if r < 0.07:
            words += [self.attach(self.noun(), "에"), "대해", "더", "말씀해", "주시겠습니까?"]
            return
        if r < 0.14:
            words += [self.attach(self.place_name(self.place()), "에는"), "얼마나", "계셨습니까?"]
            return
        if self.random() < 0.5:
            words.append(self.noun_phrase(self.place_particle()))
        words.append(self.rng.choice(KO_QUESTION_WORDS))
        if self.random() < 0.5:
            words.append(self.noun_phrase(self.object_particle()))
        words.append(self.verb().forms[self.question()] + "?")

    def mention(self, m: Mention, words: list[str]) -> None:
        """A sentence naming the event's place, year and violation (so extraction has something to find)."""
        place = self.place_name(m.place)
        term = self.rng.choice(m.violation.ko)
        when = self.year_phrase(m.year, m.year_to)
        r = self.random()
        if term.endswith("다"):
            # A verb phrase (끌려가다, 맞아 죽다, 발로 찼다): its last word is conjugated, unless the
            # taxonomy already gives it in the past.
            head, _, last = term.rpartition(" ")
            if len(last) >= 2 and split_syllable(last[-2])[2] == F_SS:
                verb = last[:-1] + ("습니다" if r < 0.5 else "다")
            else:
                verb = Predicate(last[:-1], None, False).forms["past_formal" if r < 0.5 else "past"]
            words += [when, self.attach(place, "에서"), self.noun_phrase("이/가")]
            words.append((head + " " if head else "") + verb + ".")
            return
        if r < 0.3:
            words += [when, self.attach(place, "에서"), self.attach(term, "을/를"), "직접", "보았습니다."]
        elif r < 0.55:
            words += [self.attach(place, "에서는"), when, self.attach(term, "이/가"), "있었다고", "들었어요."]
        elif r < 0.75:
            words += [when, self.attach(place, "의"), self.attach(term, "에"), "대한", "이야기를", "들었다."]
        else:
            words += [self.attach(place, "에"), "있을", "때", "그것은", self.attach(term, "이었다/였다") + "."]

    def passage(self, length: int, question: bool, mentions: list[Mention]) -> str:
        words: list[str] = []
        if not question:
            for m in mentions:
                self.mention(m, words)
        # An item of `words` may hold more than one word ("먹지 않았다", "추운 겨울"): counts are of words.
        count = told = sum(w.count(" ") + 1 for w in words)
        sentences = []  # (first item, words in the sentence)
        while count < length:
            start = len(words)
            if question and self.random() >= 0.35:
                self.question_sentence(words)
            else:
                if not question and self.random() < 0.05:
                    words.append(self.attach(self.place_name(self.place()), self.place_particle()))
                self.sentence(words)
            n = sum(w.count(" ") + 1 for w in words[start:])
            sentences.append((start, n))
            count += n
        # Keep within MAX_PASSAGE_WORDS by dropping whole sentences from the end.
        while count > MAX_PASSAGE_WORDS and sentences and count - sentences[-1][1] >= max(told, MIN_PASSAGE_WORDS):
            start, n = sentences.pop()
            del words[start:]
            count -= n
        return " ".join(words)


# 있다 / 없다 (existence) take the verb forms: 있는, 있는데.
EXIST = Predicate("있", None, adjective=False).forms
NOT_EXIST = Predicate("없", None, adjective=False).forms


class EnglishWriter:
    def __init__(self, rng: random.Random, places: list[Place]):
        self.rng = rng
        self.random = rng.random
        nouns = list(dict.fromkeys(EN_NOUNS))
        self.noun = Zipf([(n, english_plural(n)) for n in nouns], rng)
        verbs = []
        for entry in EN_VERBS:
            parts = entry.split()
            if len(parts) >= 2:
                verbs.append((parts[0], parts[1], len(parts) > 2))
        self.verb = Zipf(list(dict.fromkeys(verbs)), rng)
        self.adjective = Zipf(list(dict.fromkeys(EN_ADJECTIVES)), rng)
        self.adverb = Zipf(list(dict.fromkeys(EN_ADVERBS)), rng)
        self.subject_word = Weighted(EN_SUBJECTS, rng)
        self.places = places
        self.place = Zipf(places, rng, s=0.8)

    def noun_phrase(self) -> str:
        r = self.random()
        singular, plural = self.noun()
        if r < 0.3:
            det, noun = self.rng.choice(EN_DETERMINERS_PLURAL), plural
        else:
            det, noun = self.rng.choice(EN_DETERMINERS_SINGULAR), singular
            if det == "a" and noun[0] in "aeiou":
                det = "an"
        if self.random() < 0.25:
            adjective = self.adjective()
            if det == "an" and adjective[0] not in "aeiou":
                det = "a"
            elif det == "a" and adjective[0] in "aeiou":
                det = "an"
            return f"{det} {adjective} {noun}"
        return f"{det} {noun}"

    def subject(self) -> str:
        r = self.random()
        if r < 0.7:
            return self.subject_word()
        if r < 0.85:
            return self.rng.choice(("my", "the", "our", "a")) + " " + self.rng.choice(EN_KIN_ROLES)
        return self.noun_phrase()

    def prepositional(self) -> str:
        if self.random() < 0.08:
            return self.rng.choice(("in", "near", "to", "from", "outside")) + " " + self.place_name(self.place())
        return self.rng.choice(EN_PREPOSITIONS) + " " + self.noun_phrase()

    def place_name(self, place: Place) -> str:
        # Some English passages keep the Hangul name, as transcribers often do.
        if self.random() < 0.07 and place.hangul:
            return self.rng.choice(place.hangul[:2])
        names = place.latin
        r = self.random()
        return names[0] if r < 0.4 or len(names) == 1 else names[1] if r < 0.6 else self.rng.choice(names)

    def clause(self) -> str:
        r = self.random()
        base, past, intransitive = self.verb()
        s = self.subject()
        if r < 0.45:
            core = f"{s} {past}" if intransitive else f"{s} {past} {self.noun_phrase()}"
        elif r < 0.55:
            core = f"{s} had to {base}" + ("" if intransitive else f" {self.noun_phrase()}")
        elif r < 0.62:
            core = f"{s} could not {base}" + ("" if intransitive else f" {self.noun_phrase()}")
        elif r < 0.7:
            core = f"{s} tried to {base}" + ("" if intransitive else f" {self.noun_phrase()}")
        elif r < 0.8:
            be = "were" if s in ("we", "they", "some of us", "the others") else "was"
            core = f"{s} {be} {self.adjective()}"
        elif r < 0.88:
            core = f"there {'were' if self.random() < 0.5 else 'was'} {self.noun_phrase()}"
        else:
            core = f"{s} said that {self.subject()} {past}" + ("" if intransitive else f" {self.noun_phrase()}")
        if self.random() < 0.45:
            core += " " + self.prepositional()
        if self.random() < 0.15:
            core += " " + self.adverb()
        return core

    def sentence(self) -> str:
        r = self.random()
        if r < 0.12:
            text = f"{self.rng.choice(EN_TIMES)}, {self.clause()}"
        elif r < 0.22:
            text = f"when {self.clause()}, {self.clause()}"
        elif r < 0.4:
            link = self.rng.choice(("because", "so", "but", "and", "while", "until", "after", "before"))
            text = f"{self.clause()} {link} {self.clause()}"
        else:
            text = self.clause()
        return text[0].upper() + text[1:] + "."

    def question(self) -> str:
        singular, plural = self.noun()
        base, past, _ = self.verb()
        template = self.rng.choice(EN_QUESTIONS)
        return template.format(pp=self.prepositional(), past=past, base=base, noun=singular, plural=plural,
                               role=self.rng.choice(EN_KIN_ROLES))

    def year_phrase(self, year: int, year_to: int | None) -> str:
        r = self.random()
        if year_to and year_to != year and r < 0.5:
            return f"from {year} to {year_to}"
        if r < 0.35:
            return f"in the {self.rng.choice(EN_SEASONS)} of {year}"
        if r < 0.5:
            return f"around {year}"
        return f"in {year}"

    def mention(self, m: Mention) -> str:
        place = self.place_name(m.place)
        term = self.rng.choice(m.violation.en)
        when = self.year_phrase(m.year, m.year_to)
        r = self.random()
        if r < 0.3:
            text = f"{when}, near {place}, I saw {term} with my own eyes."
        elif r < 0.55:
            text = f"People in {place} talked about {term} {when}."
        elif r < 0.75:
            text = f"What happened in {place} {when} was {term}."
        else:
            text = f"{when} we were in {place}, and there was {term}."
        return text[0].upper() + text[1:]

    def passage(self, length: int, question: bool, mentions: list[Mention]) -> str:
        sentences: list[str] = []
        count = 0
        if not question:
            for m in mentions:
                s = self.mention(m)
                sentences.append(s)
                count += s.count(" ") + 1
        told = count
        while count < length:
            s = self.question() if question and self.random() < 0.65 else self.sentence()
            sentences.append(s)
            count += s.count(" ") + 1
        # Keep within MAX_PASSAGE_WORDS by dropping whole sentences from the end.
        while count > MAX_PASSAGE_WORDS and len(sentences) > len(mentions):
            last = sentences[-1].count(" ") + 1
            if count - last < max(told, MIN_PASSAGE_WORDS):
                break
            sentences.pop()
            count -= last
        if not question and mentions and len(sentences) > 1:
            # The event sentence need not open the passage.
            k = self.rng.randrange(len(sentences))
            sentences[0], sentences[k] = sentences[k], sentences[0]
        return " ".join(sentences)


# ====================================================================================================
# Testimonies
# ====================================================================================================

def year_weights() -> list[tuple[int, float]]:
    """More events in the famine years and around 2010, fewer at the ends."""
    out = []
    for y in range(YEARS[0], YEARS[1] + 1):
        w = 1.0
        if 1995 <= y <= 1999:
            w = 2.6
        elif 2008 <= y <= 2013:
            w = 2.0
        elif y >= 2018:
            w = 0.5
        out.append((y, w))
    return out


class TestimonyWriter:
    def __init__(self, seed: int, places: list[Place], violations: list[Violation]):
        self.rng = random.Random(seed)
        order = random.Random(seed * 7919 + 1)
        event_places = [p for p in places if p.kind not in ("country",) and (p.kind != "province" or p.id.startswith("kp/"))]
        order.shuffle(event_places)
        # North Korean places dominate, as they do in real collections; the rest keep a long tail.
        event_places.sort(key=lambda p: 0 if p.id.startswith("kp/") else 1 if p.id.startswith("cn/") else 2)
        head = [p for p in event_places if p.id.startswith("kp/")]
        tail = [p for p in event_places if not p.id.startswith("kp/")]
        mixed = []
        for i, p in enumerate(head):
            mixed.append(p)
            if i % 8 == 7 and tail:
                mixed.append(tail.pop(0))
        mixed += tail
        self.places = mixed
        self.place = Zipf(mixed, self.rng, s=0.75)
        codes = list(violations)
        order.shuffle(codes)
        self.violation = Zipf(codes, self.rng, s=0.7)
        self.year = Weighted(year_weights(), self.rng)
        self.ko = KoreanWriter(self.rng, mixed)
        self.en = EnglishWriter(self.rng, mixed)
        self.provinces = [p for p in places if p.kind in ("province", "special-city") and p.id.startswith("kp/")]

    def events(self) -> list[dict]:
        rng = self.rng
        r = rng.random()
        n = 1 if r < 0.4 else rng.randint(2, 3) if r < 0.8 else rng.randint(4, 7) if r < 0.95 else rng.randint(8, 25)
        out = []
        for _ in range(n):
            year = self.year()
            span = 0 if rng.random() < 0.65 else rng.randint(1, 5)
            year_to = min(year + span, YEARS[1]) if span else None
            out.append(Mention(self.place(), year, year_to if year_to != year else None, self.violation()))
        return out

    def testimony(self, n: int) -> tuple[dict, list[str], str, dict[int, list[Mention]]]:
        rng = self.rng
        lang = "ko" if rng.random() < 0.5 else "en"
        writer = self.ko if lang == "ko" else self.en
        events = self.events()
        r = rng.random()
        passages = rng.randint(10, 30) if r < 0.6 else rng.randint(31, 55) if r < 0.9 else rng.randint(56, 80)
        passages = max(passages, min(80, 2 * len(events) + 4))
        labelled = rng.random() < 0.75
        if lang == "ko":
            q_label, a_label = rng.choice((("질문", "답변"), ("질문", "답변"), ("문", "답"), ("Q", "A")))
        else:
            q_label, a_label = "Q", "A"
        colon = ":" if rng.random() < 0.95 else rng.choice((" :", "："))
        # Which answer passages carry which events (an event may be told more than once).
        answer_slots = [i for i in range(passages) if not labelled or i % 2 == 1]
        told: dict[int, list[Mention]] = {}
        for m in events:
            for _ in range(1 + (rng.random() < 0.4) + (rng.random() < 0.15)):
                told.setdefault(rng.choice(answer_slots), []).append(m)
        texts = []
        for i in range(passages):
            question = labelled and i % 2 == 0 and rng.random() < 0.92
            if question:
                length = rng.randint(MIN_PASSAGE_WORDS, 40)
            else:
                length = MIN_PASSAGE_WORDS + int((MAX_PASSAGE_WORDS - MIN_PASSAGE_WORDS) * rng.random() ** 1.5)
            text = writer.passage(length, question, told.get(i, []))
            if rng.random() < 0.04:
                # A line break inside a paragraph: still one passage.
                cut = text.find(". ", len(text) // 2)
                if cut > 0:
                    text = text[: cut + 1] + "\n" + text[cut + 2:]
            if labelled:
                text = f"{q_label if question else a_label}{colon} {text}"
            texts.append(text)
        separator = "\n\n" if rng.random() < 0.97 else "\n \n\n"
        record = {"id": f"IT-{n:06d}"}
        if rng.random() < 0.96:
            record["language"] = lang
        first = events[0]
        if rng.random() < 0.85:
            if lang == "ko":
                record["title"] = f"{first.place.hangul[0]} {first.violation.ko[0]} 관련 면담 ({first.year}년)"
            else:
                record["title"] = f"Interview: {first.violation.en[0]}, {first.place.latin[0]}, {first.year}"
        last_year = max(m.year_to or m.year for m in events)
        if rng.random() < 0.9:
            year = rng.randint(max(last_year + 1, 2003), 2024)
            record["interview_date"] = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        a = rng.random()
        if a < 0.65:
            record["access"] = "public"
        elif a < 0.9:
            record["access"] = "restricted"
        if rng.random() < 0.8:
            who = {}
            if rng.random() < 0.9:
                who["gender"] = rng.choice(("female", "female", "male", "여성", "남성", "F", "M"))
            if rng.random() < 0.8:
                decade = rng.choice(range(1930, 2010, 10))
                who["birth_decade"] = f"{decade}s" if rng.random() < 0.7 else str(decade)
            if rng.random() < 0.7:
                province = rng.choice(self.provinces)
                who["origin_province"] = rng.choice(province.hangul + province.latin)
            record["interviewee"] = who
        coded = []
        for m in events:
            e = {"violation": m.violation.code, "location": m.place.id, "year": m.year}
            if m.year_to:
                e["year_to"] = m.year_to
            coded.append(e)
        record["events"] = coded
        record["transcript"] = separator.join(texts)
        return record, texts, lang, told


# ====================================================================================================
# Queries
# ====================================================================================================

class Source:
    """A testimony kept for the query set: its language, events, a few of its passages, and a few
    passages that tell an event (with the event's place id and violation code)."""

    __slots__ = ("lang", "events", "passages", "told")

    def __init__(self, lang: str, events: list[dict], passages: list[str], told: list[tuple[str, str, str]]):
        self.lang, self.events, self.passages, self.told = lang, events, passages, told


def strip_label(text: str) -> str:
    for label in ("질문", "답변", "문", "답", "Q", "A"):
        if text.startswith(label):
            rest = text[len(label):].lstrip(" ")
            if rest[:1] in (":", "："):
                return rest[1:].strip()
    return text


PUNCTUATION = ".,?!:;\"'()“”‘’"


def words_of(text: str) -> list[str]:
    return [w.strip(PUNCTUATION) for w in strip_label(text).split()]


def usable(word: str, lang: str) -> bool:
    if not word or any(c.isdigit() for c in word):
        return False
    if lang == "en":
        return word.isalpha() and len(word) > 2 and word.lower() not in EN_STOPWORDS
    return len(word) >= 2 and all(is_hangul(c) for c in word)


class QueryWriter:
    def __init__(self, rng: random.Random, sources: list[Source], places: dict[str, Place],
                 violations: dict[str, Violation], all_places: list[Place], all_violations: list[Violation]):
        self.rng = rng
        self.sources = sources
        self.places = places
        self.violations = violations
        self.all_places = [p for p in all_places if p.kind != "country"]
        self.all_violations = all_violations
        self.place_ids = [p.id for p in self.all_places]
        self.violation_codes = [v.code for v in all_violations]
        self.frequency: Counter[str] = Counter()
        for s in sources:
            for p in s.passages:
                self.frequency.update(words_of(p))
        # Korean word → the noun inside it, to drop particles as a researcher often does.
        self.bare: dict[str, str] = {}
        pairs = [pair for pair, _ in KO_SUBJECT_PARTICLES + KO_PLACE_PARTICLES + KO_OBJECT_PARTICLES] + ["", "에"]
        for noun in korean_nouns():
            for pair in pairs:
                self.bare[particle(noun, pair)] = noun
        self.english_nouns = set(EN_NOUNS) | {english_plural(n) for n in EN_NOUNS}

    def pick_words(self, source: Source, k: int, passage: str | None = None) -> list[str]:
        rng = self.rng
        passage = passage or rng.choice(source.passages)
        candidates = list(dict.fromkeys(w for w in words_of(passage) if usable(w, source.lang)))
        if rng.random() < 0.7:
            # Researchers mostly type nouns.
            nouns = [w for w in candidates if (w in self.bare if source.lang == "ko" else w.lower() in self.english_nouns)]
            candidates = nouns or candidates
        if not candidates:
            return []
        if rng.random() < 0.5:
            # The rarer words of the passage, where a researcher's memorable word usually is.
            candidates.sort(key=lambda w: (self.frequency[w], w))
            candidates = candidates[: max(3, len(candidates) // 3)]
        chosen = rng.sample(candidates, min(k, len(candidates)))
        out = []
        for w in chosen:
            if source.lang == "ko" and w in self.bare and rng.random() < 0.5:
                w = self.bare[w]
            elif source.lang == "en" and rng.random() < 0.6:
                w = w.lower()
            out.append(w)
        return out

    def phrase(self, source: Source) -> str | None:
        rng = self.rng
        for _ in range(4):
            words = strip_label(rng.choice(source.passages)).split()
            if len(words) < 4:
                continue
            n = rng.choice((2, 2, 3))
            start = rng.randrange(len(words) - n)
            chosen = words[start:start + n]
            # A phrase ending a sentence loses its full stop; one crossing a sentence end is redrawn.
            if any(w[-1] in ".?!," for w in chosen[:-1]):
                continue
            text = " ".join(chosen).strip(PUNCTUATION)
            if source.lang == "en" and all(w.lower() in EN_STOPWORDS for w in text.split()):
                continue  # nobody quotes "but there was"
            if text and '"' not in text:
                return f'"{text}"'
        return None

    def place_query(self, place: Place) -> tuple[str, str]:
        rng = self.rng
        if rng.random() < 0.45 and place.hangul:
            return rng.choice(place.hangul), "ko"
        name = rng.choice(place.latin).replace("(", "").replace(")", "")
        return (name.lower() if rng.random() < 0.3 else name), "en"

    def violation_query(self, violation: Violation) -> tuple[str, str]:
        if self.rng.random() < 0.5:
            return self.rng.choice(violation.ko), "ko"
        return self.rng.choice(violation.en), "en"


    @staticmethod
    def _filter_values(rng: random.Random, fitting: str | None, broader, pool: list[str]) -> list[str]:
        """A filter's values: the source event's value when fitting (now and then its broader
        value, `broader(value)`, when it has one), else one drawn from `pool`; a second value from
        `pool` now and then."""
        if fitting:
            value = fitting
            if rng.random() < 0.3 and broader(value):
                value = broader(value)
        else:
            value = rng.choice(pool)
        values = [value]
        if rng.random() < 0.12:
            other = rng.choice(pool)
            if other != value:
                values.append(other)
        return values

    def filters(self, query: dict, source: Source | None, force: bool) -> None:
        rng = self.rng
        want_year = rng.random() < 0.30
        want_place = rng.random() < 0.25
        want_violation = rng.random() < 0.25
        if force and not (want_year or want_place or want_violation):
            choice = rng.randrange(3)
            want_year, want_place, want_violation = choice == 0, choice == 1, choice == 2
        # Mostly filters a researcher would set knowing the material (so the query can match);
        # some are off the mark and may match nothing.
        fitting = source is not None and rng.random() < 0.85
        event = rng.choice(source.events) if fitting else None
        if want_place:
            # Sometimes the event's county or province rather than the place itself.
            query["location"] = self._filter_values(
                rng, event and event["location"], lambda v: v.count("/") >= 2 and v.rsplit("/", 1)[0],
                self.place_ids)
        if want_violation:
            # Sometimes the top-level violation rather than the specific one.
            query["violation"] = self._filter_values(
                rng, event and event["violation"], lambda v: "/" in v and v.split("/")[0],
                self.violation_codes)
        if want_year:
            year = event["year"] if event else rng.randint(*YEARS)
            r = rng.random()
            if r < 0.1:
                query["year_from"] = max(YEARS[0], year - rng.randint(0, 3))
            elif r < 0.2:
                query["year_to"] = min(YEARS[1], year + rng.randint(0, 3))
            else:
                start = max(YEARS[0], year - rng.randint(0, 3))
                query["year_from"] = start
                query["year_to"] = min(YEARS[1], max(year, start + rng.randint(0, 6)))

    def query(self, n: int) -> dict:
        rng = self.rng
        while True:
            source = rng.choice(self.sources)
            r = rng.random()
            q, lang, force = "", source.lang, False
            if r < 0.45:
                words = self.pick_words(source, rng.choice((1, 1, 2, 2, 2, 3, 3, 4)))
                q = " ".join(words)
            elif r < 0.565:  # some draws find no phrase and are redrawn: about 10% in all
                q = self.phrase(source) or ""
            elif r < 0.68:
                q, lang = self.place_query(self.places[rng.choice(source.events)["location"]])
            elif r < 0.81:
                q, lang = self.violation_query(self.violations[rng.choice(source.events)["violation"]])
            elif r < 0.96 and source.told:
                # A name or a term as the passage spells it, and a word or two of the same passage:
                # "Onsong bread", "회령 배급".
                text, location, code = rng.choice(source.told)
                place, violation = self.places[location], self.violations[code]
                if rng.random() < 0.5:
                    names = [n for n in place.hangul + place.latin if n in text and "(" not in n]
                else:
                    names = [t for t in violation.ko + violation.en if t in text]
                if names:
                    head = rng.choice(names)
                    q = " ".join([head] + [w for w in self.pick_words(source, rng.choice((1, 1, 2)), text)
                                           if w not in head])
            else:
                force = True  # browsing by facets only
            if q or force:
                break
        query = {"id": f"iq{n:05d}", "q": q, "lang": lang}
        self.filters(query, source, force)
        return query


# ====================================================================================================
# Main
# ====================================================================================================

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--testimonies", type=int, default=20000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--schema", type=Path, default=DEFAULT_SCHEMA, help="the index-schema/ folder")
    args = parser.parse_args()
    if args.testimonies < 1 or args.queries < 0:
        parser.error("--testimonies must be at least 1 and --queries at least 0")

    started = time.monotonic()
    places, violations = load_schema(args.schema)
    args.out.mkdir(parents=True, exist_ok=True)
    writer = TestimonyWriter(args.seed, places, violations)
    # The query set's own generator: the corpus does not change with --queries.
    qrng = random.Random(args.seed * 104729 + 17)
    keep = min(args.testimonies, max(2000, 3 * args.queries))
    sources: list[Source] = []
    passages = 0
    languages: Counter[str] = Counter()
    corpus_path = args.out / "corpus.jsonl"
    with open(corpus_path, "w", encoding="utf-8", newline="\n") as corpus:
        batch = []
        for n in range(1, args.testimonies + 1):
            record, texts, lang, told = writer.testimony(n)
            passages += len(texts)
            languages[lang] += 1
            batch.append(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
            if len(batch) == 256:
                corpus.write("\n".join(batch) + "\n")
                batch.clear()
            # Reservoir sample of testimonies for the queries (Algorithm R).
            slot = n - 1 if n <= keep else qrng.randrange(n)
            if slot < keep:
                telling = [(texts[i], m.place.id, m.violation.code) for i, ms in sorted(told.items()) for m in ms]
                telling = qrng.sample(telling, min(3, len(telling)))
                source = Source(lang, record["events"], qrng.sample(texts, min(4, len(texts))), telling)
                if n <= keep:
                    sources.append(source)
                else:
                    sources[slot] = source
        if batch:
            corpus.write("\n".join(batch) + "\n")

    queries = QueryWriter(qrng, sources, {p.id: p for p in places}, {v.code: v for v in violations},
                          places, violations)
    with open(args.out / "queries.jsonl", "w", encoding="utf-8", newline="\n") as out:
        for n in range(1, args.queries + 1):
            out.write(json.dumps(queries.query(n), ensure_ascii=False, separators=(",", ":")) + "\n")

    elapsed = time.monotonic() - started
    size = os.path.getsize(corpus_path)
    mix = ", ".join(f"{k} {v / args.testimonies:.0%}" for k, v in sorted(languages.items()))
    print(f"{args.testimonies} testimonies, {passages} passages ({mix}), {size / 1e6:.1f} MB, "
          f"{args.queries} queries, {elapsed:.1f} s -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
