"""Development personal-data corpus: the one the detector's rules are tuned on to generalise, beside corpus 1
(bench/pii_bench.py, Faker) and the held-out corpus 2 (bench/pii_holdout.py, mimesis, never tuned on).

    pip install -e ".[bench]"
    taskset -c 0 python bench/pii_dev.py --seed 21 --seed 22 --texts 5000

Sources, other than both other corpora's: person names from the US Census Bureau's 1990 name files (the `names`
package: first names and surnames drawn by their census frequency) and Faker's nl_NL, pl_PL, pt_BR, sv_SE, cs_CZ
and es_MX lists (locales neither other corpus uses); Chinese, Japanese and Korean names put together here from
surname and given-name lists written for this file; nicknames made of word lists written here (pinyin, English and
CJK words, digits, platform default nicknames); e-mail addresses and IPv4/IPv6 addresses in account and log lines; user IDs of the
lengths platforms give (QQ 5-11 digits, Weibo 10,
Bilibili 9, Douyin 11-19).  Texts are the seed case's shapes (account records in CSV, JSON, key=value and
table lines), biographies, comment threads, chat lines and support tickets, with sentences written here in zh,
en, de, fr, ja, ko.  Hard negatives of the kinds that look like the seed case's values: IDs of things after ID
words (`商品ID`, `post id`, `订单ID`, `Artikel-Nr.`), capitalised place, company and product names whose first word
is also a first name (`Jordan River`, `Santa Clara`, `Georgia Tech`), Chinese words beginning with a surname
character (`高速公路`, `张家界`), timestamps, versions, prices, counts.  Scoring and timing: bench/pii_score.py.

Real text (bench/pii_realtext.py), so that the rules meet prose they were not written for: in 60% of the texts one
line of a program's messages as its translators wrote them (en, de, fr, zh, ja, ko; the machine's gettext
catalogs), a hard negative as a whole (`prose_<lang>`: every detection in it is wrong); and place names of every
country and subdivision (ISO 3166, Debian's iso-codes) in sentences of their language (`place_<lang>`).  CJK
names are also drawn from Faker's zh_TW, ja_JP and ko_KR lists (40%); IPv6 addresses have random, link-local and
unique-local prefixes (an address may begin with letters: `fe80::…`), IPs stand after by-words, reply words and
server words.
"""

from __future__ import annotations

import ipaddress
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import names  # noqa: E402
import pii_realtext  # noqa: E402
from faker import Faker  # noqa: E402
from pii_corpus import styled_email, valid_number  # noqa: E402
from pii_score import Text, main  # noqa: E402

FAKER_LOCALES = ("nl_NL", "pl_PL", "pt_BR", "sv_SE", "cs_CZ", "es_MX")
# CJK names from Faker locales neither other corpus takes names from (corpus 1: zh_CN; corpus 2: mimesis).
FAKER_CJK = {"zh": "zh_TW", "ja": "ja_JP", "ko": "ko_KR"}
# Sentences around a place name (real names from pii_realtext.places()), one language each.
PLACE_FRAMES = {
    "en": ("We drove to {} last summer.", "Flights to {} are delayed again.", "{} is lovely in spring."),
    "de": ("Wir fahren morgen nach {}.", "Die Lieferung nach {} dauerte drei Tage.", "{} ist im Herbst schön."),
    "fr": ("Nous partons pour {} demain.", "La livraison vers {} a pris une semaine.", "{} est magnifique en mai."),
    "zh": ("上个月去了{}。", "发往{}的快递延误了。", "{}的天气很好。"),
    "ja": ("先週{}に行きました。", "{}への配送は三日かかりました。", "{}の天気は晴れです。"),
    "ko": ("지난주에 {}에 다녀왔어요.", "{}까지 배송이 사흘 걸렸어요.", "{} 날씨가 좋아요."),
}
ZH_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
ZH_COMPOUND = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "慕容", "令狐")
ZH_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华玉萍红鹏飞婷雪琳晨宇浩然子轩梓涵欣怡思远嘉俊文博雨萱一鸣佳琪志国建华海燕春梅秀兰德胜"
JA_SURNAMES = ("佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田", "佐々木", "山口",
               "松本", "井上", "木村", "清水", "斎藤", "森")
JA_GIVEN = ("翔太", "大輔", "健一", "拓也", "陽菜", "結衣", "美咲", "さくら", "花子", "太郎", "直樹", "愛", "優子", "蓮", "葵")
KO_SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
KO_GIVEN = ("민준", "서연", "지훈", "하은", "도윤", "수빈", "예준", "지민", "현우", "유진", "성민", "영희", "철수", "은지", "동현")
NICK_WORDS_EN = ("sunny", "shadow", "tiger", "lucky", "pixel", "ninja", "coffee", "panda", "storm", "maple", "rocket",
                 "lemon", "wolf", "mango", "echo", "blue", "happy", "night", "star", "cookie")
NICK_WORDS_PINYIN = ("xiaoyu", "wangzi", "tiantian", "lele", "dabai", "mumu", "ahua", "xiaoming", "yueyue", "qiqi")
NICK_ZH = ("快乐的小鱼", "追风少年", "一只橘猫", "不吃香菜", "晴天娃娃", "深夜食堂", "南山南", "爱吃鱼的猫", "星河滚烫",
           "小熊软糖", "风一样的男子", "今天也要加油", "大白兔", "柠檬不酸", "月亮不睡我不睡")
NICK_JA_KO = ("ゆうき", "たぬき君", "ねこまる", "하늘별", "달빛소녀", "감자튀김", "초코우유")
# Hard negatives: capitalised names of places, companies and products whose first word is also a first name.
LOOKALIKES = ("Jordan River", "Santa Clara", "Georgia Tech", "Victoria Station", "Virginia Beach", "Charlotte Airport",
              "Washington Post", "Austin Energy", "Madison Square", "Lincoln Center", "Chelsea Market", "Ford Motor",
              "Florence Cathedral", "Sydney Harbour", "Paris Saint-Germain", "Mercedes Benz", "Ben Nevis", "Rose Bowl",
              "Holly Springs", "Carolina Panthers", "Dallas Mavericks", "Denver Broncos", "Phoenix Suns",
              "Orlando Magic", "Jackson Hole", "Houston Texans", "Regent Street", "Marie Curie Hospital",
              "Elizabeth Line", "Albert Dock", "Harvard Business School", "Adidas Originals", "Grace Church")
ZH_LOOKALIKES = ("高速公路", "张家界", "王府井", "黄金周", "白马寺", "刘海屏", "周末愉快", "马上发货", "林荫大道", "金融中心",
                 "江南水乡", "陈皮", "孙悟空", "杨梅汁", "胡萝卜", "高铁站", "朱古力", "宋体字")
SENTENCES = {
    "zh": ["这款耳机音质不错，就是续航一般。", "物流很快，第二天就到了。", "客服态度很好，耐心解答了我的问题。",
           "包装有点破损，但是东西没坏。", "性价比很高，推荐购买。", "颜色和图片一样，很满意。", "用了一周再来评价。"],
    "en": ["The battery lasts about two days with normal use.", "Shipping took longer than expected.",
           "Great value for the price, would buy again.", "The manual is only in Chinese and German.",
           "We met at the Apple Store on Fifth Avenue.", "Customer Service replied within an hour."],
    "de": ["Die Lieferung kam pünktlich und gut verpackt.", "Das Gerät funktioniert einwandfrei.",
           "Leider fehlt die Anleitung auf Deutsch.", "Mit dem Kundendienst war ich sehr zufrieden."],
    "fr": ["Le produit correspond à la description.", "Livraison rapide, rien à redire.",
           "La batterie tient une journée entière.", "Service client très réactif."],
    "ja": ["とても使いやすいです。", "配送が早くて助かりました。", "色が写真と少し違いました。", "また購入したいと思います。"],
    "ko": ["배송이 빨라서 좋았어요.", "가격 대비 품질이 좋습니다.", "포장이 조금 아쉬웠어요.", "다음에도 구매할게요."],
}


def _census(filename: str, top: int) -> tuple[list[str], list[float]]:
    out, weights = [], []
    with open(os.path.join(os.path.dirname(names.__file__), filename)) as f:
        for line in list(f)[:top]:
            word, freq = line.split()[:2]
            out.append(word.capitalize().replace("Mc", "Mc", 1))
            weights.append(float(freq))
    return out, weights


class DevCorpus:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"dev-{seed}")
        self.fakers = {}
        for i, loc in enumerate(FAKER_LOCALES):
            f = Faker(loc)
            f.seed_instance(seed * 1000 + 500 + i)
            self.fakers[loc] = f
        for i, loc in enumerate(FAKER_CJK.values()):
            f = Faker(loc)
            f.seed_instance(seed * 1000 + 600 + i)
            self.fakers[loc] = f
        self.first = [_census("dist.male.first", 600), _census("dist.female.first", 1500)]
        self.last = _census("dist.all.last", 5000)

    def _pick(self, pool: tuple[list[str], list[float]]) -> str:
        return self.rng.choices(pool[0], weights=pool[1])[0]

    # ------------------------------------------------------------ values
    def person_name(self) -> tuple[str, str]:
        """(name, script): en census names, other Latin-script names, zh, ja, ko."""
        rng = self.rng
        r = rng.random()
        if r < 0.3:
            first = self._pick(rng.choice(self.first))
            mid = f" {rng.choice('ABCDEFGHJKLMNPRSTW')}." if rng.random() < 0.15 else ""
            return f"{first}{mid} {self._pick(self.last)}", "latin"
        if r < 0.5:
            f = self.fakers[rng.choice(FAKER_LOCALES)]
            return f"{f.first_name()} {f.last_name()}", "latin"
        script = "zh" if r < 0.8 else "ja" if r < 0.9 else "ko"
        if rng.random() < 0.4:  # a Faker name of a CJK locale no other corpus draws names from
            f = self.fakers[FAKER_CJK[script]]
            return f.last_name() + f.first_name(), script
        if script == "zh":
            sur = rng.choice(ZH_COMPOUND) if rng.random() < 0.05 else rng.choice(ZH_SURNAMES)
            return sur + "".join(rng.choice(ZH_GIVEN) for _ in range(rng.choice((1, 2, 2)))), "zh"
        if script == "ja":
            return rng.choice(JA_SURNAMES) + rng.choice(JA_GIVEN), "ja"
        return rng.choice(KO_SURNAMES) + rng.choice(KO_GIVEN), "ko"

    def nickname(self) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.3:
            sep = rng.choice(("_", "", ".", "-"))
            base = rng.choice(NICK_WORDS_EN) + sep + rng.choice(NICK_WORDS_EN + NICK_WORDS_PINYIN)
            return base + (str(rng.randint(1, 9999)) if rng.random() < 0.6 else "")
        if r < 0.45:
            return rng.choice(NICK_WORDS_PINYIN) + str(rng.randint(1, 99999))
        if r < 0.7:
            return rng.choice(NICK_ZH) + (str(rng.randint(1, 999)) if rng.random() < 0.3 else "")
        if r < 0.8:
            return rng.choice(NICK_JA_KO)
        d = str(rng.randint(10**6, 10**10))
        return rng.choice((f"用户{d}", f"微信用户{d[:6]}", f"bili_{d}", f"jd_{rng.getrandbits(32):08x}", f"qq_{d}"))

    def handle(self) -> str:
        """A Latin-script handle as sites allow them: lower, Capitalised or CamelCase words, digits, `_ . -`."""
        rng = self.rng
        w1, w2 = rng.choice(NICK_WORDS_EN + NICK_WORDS_PINYIN), rng.choice(NICK_WORDS_EN)
        r = rng.random()
        if r < 0.25:
            base = w1.capitalize() + w2.capitalize()
        elif r < 0.4:
            base = w1.capitalize() + rng.choice(("_", ""))
        elif r < 0.5:
            base = (w1 + "_" + w2).upper()
        else:
            base = w1 + rng.choice(("_", ".", "", "-")) + w2
        tail = rng.choice(("", str(rng.randint(1, 99)), str(rng.randint(1960, 2012)), f"_{rng.randint(1, 999)}"))
        return (base + tail).rstrip("_.-")

    def default_nickname(self) -> str:
        """A platform's default nickname, given when an account is opened."""
        rng = self.rng
        d = str(rng.randint(10**7, 10**11))
        return rng.choice((f"用户{d}", f"手机用户{d[:8]}", f"微信用户{d[:6]}", f"tb{d[:8]}", f"t_{d}", f"jd_{d[:10]}",
                           f"jd{d[:9]}", f"m0_{d[:8]}", f"weixin_{d[:8]}", f"qq_{d[:9]}", f"bili_{d}",
                           f"小红薯{rng.getrandbits(24):06X}", f"微博用户{d[:10]}"))

    def user_id(self) -> str:
        n = self.rng.choice((5, 7, 8, 9, 10, 10, 11, 16, 19))
        return str(self.rng.randint(10 ** (n - 1), 10**n - 1))

    def phone(self) -> str:
        rng = self.rng
        for _ in range(200):
            region, written = rng.choice((
                ("CN", "1" + rng.choice("3456789") + "".join(str(rng.randint(0, 9)) for _ in range(9))),
                ("CN", "+86 1" + rng.choice("38") + "".join(str(rng.randint(0, 9)) for _ in range(9))),
                ("US", "".join(str(rng.randint(2, 9)) if i in (0, 4) else str(rng.randint(0, 9)) if c == "#" else c
                               for i, c in enumerate("###-###-####"))),
                ("DE", "+49 15" + "".join(str(rng.randint(0, 9)) for _ in range(9))),
            ))
            if valid_number(written, region) is not None:
                if region == "CN" and len(written) == 11 and rng.random() < 0.3:
                    written = f"{written[:3]}-{written[3:7]}-{written[7:]}"
                return written
        return "13800138000"

    def email(self) -> str:
        rng = self.rng
        local = rng.choice(NICK_WORDS_EN + NICK_WORDS_PINYIN) + str(rng.randint(1, 999))
        addr = f"{local}@{rng.choice(('163.com', 'gmail.com', 'qq.com', 'web.de', 'orange.fr', 'naver.com'))}"
        return styled_email(rng, addr, [(0.9, lambda lo, do: f"{lo}@{do}"), (1.0, lambda lo, do: f"{lo}＠{do}")])

    # ------------------------------------------------------------ templates
    # Each template holds {name}/{nick}/{uid}/{phone}/{email}, labelled, and {neg_*} hard negatives.
    RECORDS = [
        "{uid},{nick},{phone}", "uid={uid}&nick={nick}", '{{"user_id": {uid}, "nickname": "{nick}"}}',
        "用户ID:{uid} 昵称:{nick} 手机:{phone}", "| {uid} | {nick} | {phone} |", "[{uid}] {nick}",
        "用户 {nick}（ID {uid}）", "UID {uid} / {nick}", "会员编号{uid}，昵称「{nick}」", "user {nick} (id {uid})",
        "ID: {uid}", "账号ID：{uid}", "粉丝 {nick} 关注了你", "@{nick} 赞了你的评论", "{nick} 的主页 https://space.example.cn/{uid}",
        "https://www.example.com/profile.php?id={uid}", "https://example.cn/user/{uid}/posts", "by {nick}",
        "Kommentar von {nick}", "Publié par {nick}", "来自 {nick} 的私信", "{nick} 关注了你", "ユーザー名: {nick}",
        "닉네임 {nick}", "작성자: {nick}", "投稿者：{nick}", "回复 {nick}：同意", "{nick} 转发了微博",
        "{uid},{nick},{email}", "邮箱：{email}", "last login from {ip}", "IP属地 {ip}", "| {nick} | {ip} |",
        "post by {nick} from {ip}", "{ip} - - [12/Mar/2024:10:01:02] user={nick}",
        "Request from {ip} blocked", "Session from {ip} expired", "Anmeldung von {ip}", "connexion depuis {ip}",
        "来自 {ip} 的访问", "回复 {ip}：", "帖子IP：{ip}", "评论IP {ip}", "{ip} wrote:", "Connection refused by {ip}",
        "referer {ip}", "Edge server {ip}", "Build server: {ip}", "update from {ip} failed", "IPアドレス：{ip}",
        "접속 IP {ip}", "Adresse IP : {ip}", "IP-Adresse: {ip}", "client={ip} user={nick}",
    ]
    PEOPLE = [
        "{name} is a software engineer based in Lyon.", "{name}（1972年生），中国作家。", "Interview mit {name}",
        "Photo: {name}", "Contact person: {name}", "Written by {name}", "{name}, Senior Editor", "Dear {name},",
        "感谢{name}老师的指导", "收件人：{name}", "{name}表示，这次活动很成功。", "记者 {name} 报道", "主讲人：{name}",
        "{name}さんのレビュー", "担当：{name}", "{name} 님이 작성한 글", "Best regards, {name}", "Merci {name} pour ton aide.",
        "Signed, {name}", "Ansprechpartner: {name}", "买家：{name}", "Käufer: {name}", "Acheteur : {name}", "Seller: {name}", "{name} said the delivery was late.", "{name}: thanks for the tip!",
    ]
    NEGATIVES = [
        "商品ID {neg_id}", "post id {neg_id}", "订单ID：{neg_id}", "Artikel-Nr. {neg_id}", "帖子 {neg_id} 已删除",
        "item #{neg_id}", "共 {neg_count} 条评论", "{neg_count} 人觉得有用", "版本号 {neg_version}", "{neg_version} released",
        "We drove from {neg_place} to the hotel.", "Tickets for {neg_place} sold out.", "{neg_zh}附近很堵。",
        "去{neg_zh}玩了一天", "最近在看{neg_zh}", "{neg_place} announced new prices.", "时间戳 {neg_ts}",
        "updated_at={neg_ts}", "Preis: {neg_price}", "¥{neg_price}",
        *(frame.format(f"{{neg_place_{lang}}}") for lang, frames in PLACE_FRAMES.items() for frame in frames),
    ]

    # Session 8: how platforms write accounts (forums, shops, social sites, logs and headers), written here from
    # the platforms' own pages and log formats; {handle} is a Latin-script handle, {nick} any nickname.
    PLATFORM = [
        # zh: forums, Weibo, Bilibili, Zhihu, Douban, Taobao / JD, QQ, WeChat
        "{nick} 发表于 2024-03-12 10:21", "楼主 {handle} 发表于 3 天前", "//@{nick}:转发微博", "回复 @{nick}：说得对",
        "用户昵称：{nick}", "会员号：{uid}", "会员号 {uid}", "UID：{uid}", "B站UID {uid}", "QQ号：{uid}", "抖音号：{handle}",
        "微信号：{handle}", "卖家：{nick}", "买家昵称：{nick}", "用户名 {handle}", "用户编号：{uid}",
        "https://www.zhihu.com/people/{handle}", "https://weibo.com/u/{uid}", "https://m.weibo.cn/profile/{uid}",
        "https://space.bilibili.com/{uid}", "https://www.douban.com/people/{uid}/", "@{nick} 你也来看看",
        "{default} 评价了该商品", "{default}：物流很快", "评论者 {default}", "{default}", "来自 {default} 的评论",
        # en: Reddit, Twitter / X, GitHub, Steam, forum software
        "Replying to @{handle}", "u/{handle} commented 3h ago", "Quote from: {handle} on March 3, 2024, 10:12 AM",
        "Username: {handle}", "User ID: {uid}", "Member ID: {uid}", "Customer ID {uid}", "Your account number is {uid}.",
        "Follow me: https://twitter.com/{handle}", "https://x.com/{handle}/status/{neg_id}",
        "https://github.com/{handle}", "https://www.reddit.com/user/{handle}/", "https://www.instagram.com/{handle}/",
        "https://www.youtube.com/@{handle}", "https://steamcommunity.com/profiles/{uid}",
        "https://forum.example.org/members/{handle}.{uid}/", "https://example.com/account?userId={uid}",
        "/api/v2/users/{uid}/orders", "GET /profile?uid={uid}&tab=posts", "{handle} joined the channel",
        "{handle} has left the chat", "Thanks @{handle}!", "cc @{handle}",
        # de, fr: forums, shops
        "Mitglied: {handle}", "Benutzer-ID: {uid}", "Zitat von {handle}", "Antwort an {handle}", "Verkäufer: {handle}",
        "Kundennummer {uid}", "Pseudo : {handle}", "Membre : {handle}", "Réponse à {handle}", "Message de {handle}",
        "Identifiant client : {uid}", "N° adhérent : {uid}",
        # ja, ko
        "ユーザーID：{uid}", "会員ID: {uid}", "{handle}さんがフォローしました", "返信先: @{handle}さん", "ユーザー名：{nick}",
        "회원번호 {uid}", "회원번호: {uid}", "아이디: {handle}", "{nick}님이 댓글을 남겼습니다", "닉네임: {nick}",
        "회원 ID: {uid}", "작성자 {nick}",
        # greetings, thanks and sayings around a handle; user words of other languages; log keys
        "Hi {handle}, thanks for the reply.", "Thanks {handle}!", "感谢 {handle} 的分享", "Danke {handle} für den Tipp",
        "Merci {handle} !", "{handle} said it broke after a week.", "{handle} says the update fixed it.",
        "{handle} 说：已经发货了", "Nutzer {handle} hat geantwortet", "L'utilisateur {handle} a répondu",
        "ユーザー {handle} が参加しました", "사용자 {handle} 님이 입장했습니다", "author={handle} action=edit",
        "account={handle} status=locked", "客户ID：{uid}", "作者ID {uid}", "Nutzer-ID: {uid}", "Benutzernummer {uid}",
        "numéro de membre {uid}", "고객번호 {uid}", "お客様番号：{uid}", "ユーザー番号 {uid}", "user {uid} logged out",
        "사용자 번호 {uid}", "用户 {uid} 已注销", "网友 {handle} 评论说", "博主 {handle} 发布了新视频", "UP主 {handle} 的视频",
        "{handle}さん、ありがとうございます", "{handle}님 감사합니다", "https://blog.example.com/author/{handle}/",
        "https://example.com/account/{uid}", "https://example.cn/account/settings",
        # logs and headers with IPs and users
        "Accepted publickey for {handle} from {ip} port 52144 ssh2", "Failed password for invalid user {handle} from {ip} port 22",
        "Server {ip}", "Server: {ip}", "DNS server {ip} not responding", "Ping {ip}: 64 bytes", "connecting to {ip}:8443",
        "X-Forwarded-For: {ip}", "X-Real-IP: {ip}", "X-User-Id: {uid}", "Remote Address: {ip}:443",
        "nameserver {ip}", "user {handle} logged in from {ip}", "登录IP：{ip}", "最后登录 {ip}", "Serveur {ip} injoignable",
        "サーバー {ip} に接続できません", "서버 {ip} 응답 없음",
    ]
    # Hard negatives of the same look: versions near words, timestamps, order and tracking numbers, things' IDs.
    PLATFORM_NEGATIVES = [
        "upgrade from {neg_version4} to {neg_version4}", "Upgraded from {neg_version4}.", "downgrade from {neg_version4} failed", "Updated to {neg_version4}", "升级到 {neg_version4}",
        "已更新至 {neg_version4}", "firmware {neg_version4}", "v{neg_version4}", "App {neg_version4} is out",
        "Chrome/{neg_chrome} Safari/537.36", "OS build {neg_version4}", "{neg_version4} → {neg_version4}",
        "created_at: {neg_iso}", "{neg_iso} INFO worker started", "ts={neg_ts}", "订单号：{neg_order}", "Order #{neg_amazon}",
        "运单号 SF{neg_order}", "Bestellnummer {neg_order}", "群号 {neg_id}", "房间号 {neg_id}", "话题ID {neg_id}",
        "Ticket #{neg_id}", "Issue #{neg_count}", "pid={neg_count}", "进程ID {neg_count}", "Error code {neg_id}",
        "https://item.example.com/item/{neg_id}.html", "https://shop.example.cn/goods?id={neg_id}", "Build {neg_count}",
    ]

    def _neg(self, key: str) -> str:
        rng = self.rng
        if key == "neg_id":
            return str(rng.randint(10**5, 10**12))
        if key == "neg_count":
            return str(rng.randint(2, 99999))
        if key == "neg_version":
            return ".".join(str(rng.randint(0, 30)) for _ in range(rng.choice((3, 4))))
        if key == "neg_place":
            return rng.choice(LOOKALIKES)
        if key.startswith("neg_place_"):
            return rng.choice(pii_realtext.places()[key[len("neg_place_"):]])
        if key == "neg_zh":
            return rng.choice(ZH_LOOKALIKES)
        if key == "neg_version4":
            return f"{rng.randint(1, 12)}." + ".".join(str(rng.randint(0, 120)) for _ in range(3))
        if key == "neg_chrome":
            return f"{rng.randint(100, 125)}.0.{rng.randint(4000, 6999)}.{rng.randint(10, 250)}"
        if key == "neg_iso":
            return (f"20{rng.randint(18, 26)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:"
                    f"{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z")
        if key == "neg_order":
            return str(rng.randint(10**11, 10**19))
        if key == "neg_amazon":
            return f"{rng.randint(100, 999)}-{rng.randint(10**6, 10**7 - 1)}-{rng.randint(10**6, 10**7 - 1)}"
        if key == "neg_ts":
            return str(rng.randint(1_400_000_000, 1_800_000_000) * rng.choice((1, 1000)))
        return f"{rng.randint(1, 99999) / 100:.2f}"

    def _value(self, key: str) -> tuple[str, str]:
        if key == "name":
            return self.person_name()[0], "person_name"
        if key == "nick":
            return self.nickname(), "nickname"
        if key == "handle":
            return self.handle(), "nickname"
        if key == "default":
            return self.default_nickname(), "nickname"
        if key == "uid":
            return self.user_id(), "user_id"
        if key == "phone":
            return self.phone(), "phone"
        if key == "ip":
            return self.ip(), "ip"
        return self.email(), "email"

    def ip(self) -> str:
        rng = self.rng
        if rng.random() < 0.8:
            return ".".join(str(rng.randint(1, 254)) for _ in range(4))
        low = rng.getrandbits(96) if rng.random() < 0.5 else rng.getrandbits(32)  # the short form: "2001:db8::1:2"
        # Documentation, link-local, unique-local and random global prefixes: an address may begin with letters.
        high = rng.choice((0x20010DB8, 0xFE800000, 0xFD000000 | rng.getrandbits(24), 0x20000000 | rng.getrandbits(29)))
        return str(ipaddress.IPv6Address((high << 96) | low))

    def _fill(self, template: str) -> tuple[str, list, list]:
        """The template with values; labels and negatives as (start, end, kind) within it."""
        out, labels, negatives = "", [], []
        pos = 0
        while True:
            a = template.find("{", pos)
            while a != -1 and template.startswith("{{", a):
                out += template[pos:a] + "{"
                pos = a + 2
                a = template.find("{", pos)
            if a == -1:
                out += template[pos:].replace("}}", "}")
                return out, labels, negatives
            b = template.index("}", a)
            out += template[pos:a].replace("}}", "}")
            key = template[a + 1 : b]
            if key.startswith("neg_"):
                v = self._neg(key)
                negatives.append((len(out), len(out) + len(v), key[4:]))
            else:
                v, kind = self._value(key)
                labels.append((len(out), len(out) + len(v), kind))
            out += v
            pos = b + 1

    def make(self, n: int) -> list[Text]:
        rng = self.rng
        out = []
        for _ in range(n):
            pieces = []
            for _ in range(rng.randint(1, 3)):
                r = rng.random()
                group = (self.RECORDS if r < 0.25 else self.PLATFORM if r < 0.45 else self.PEOPLE if r < 0.7
                         else self.NEGATIVES if r < 0.88 else self.PLATFORM_NEGATIVES)
                pieces.append(self._fill(rng.choice(group)))
            if rng.random() < 0.3:
                pieces.insert(rng.randrange(len(pieces) + 1), (rng.choice(SENTENCES[rng.choice(list(SENTENCES))]),
                                                                [], []))
            if rng.random() < 0.6:  # a real line of prose that names nobody: a hard negative as a whole
                lang = rng.choice(list(PLACE_FRAMES))
                line = rng.choice(pii_realtext.sentences()[lang])
                pieces.insert(rng.randrange(len(pieces) + 1), (line, [], [(0, len(line), f"prose_{lang}")]))
            t = Text("")
            for text, labels, negatives in pieces:
                t.append(rng.choice((" ", "\n", " | ", "；")) if t.text else "", text, labels, negatives)
            out.append(t)
        return out


if __name__ == "__main__":
    main(DevCorpus, [21, 22], __doc__)
