"""Generate the demo union catalogue: MARC 21 bibliographic records for each member library.

Every record is invented from the tables below, so the demo never ships anyone's
real catalogue. Many editions are held by several libraries, and each library
describes its copy its own way (ISBN-10 or ISBN-13, "hòa" or "hoà", ISBD
punctuation or not, NFC or NFD, a subtitle or author left out), which is what
the union catalogue's deduplication has to see through. The output depends
only on the seed.
"""

import dataclasses
import datetime
import random
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pymarc
from pymarc import Field, Indicators, Subfield

from mucluc.core.model import LibraryInfo
from mucluc.demo.libraries import DEMO_LIBRARIES

# ---------------------------------------------------------------------------
# Building blocks
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Topic:
    """A subject to build titles from, with its DDC number and subject headings.

    `phrase_vi` is written as it stands inside a Vietnamese title (lower case
    but for proper nouns); `kind` decides which title forms fit it, and
    `category` which publishers print it and which libraries buy it.
    `has_history` says "Lịch sử <phrase>" reads naturally.
    """

    phrase_vi: str
    phrase_en: str
    ddc: str
    heading_vi: str
    heading_en: str
    category: str
    kind: str
    has_history: bool
    literary_form: str = "0"


# fmt: off
TOPICS: tuple[Topic, ...] = (
    Topic("lịch sử Việt Nam", "Vietnamese history", "959.7", "Lịch sử", "Vietnam--History",
          "history", "academic", False),
    Topic("lịch sử thế giới", "world history", "909", "Lịch sử thế giới", "World history",
          "history", "academic", False),
    Topic("lịch sử Thăng Long - Hà Nội", "the history of Hanoi", "959.731", "Lịch sử",
          "Hanoi (Vietnam)--History", "history", "general", False),
    Topic("khảo cổ học Việt Nam", "Vietnamese archaeology", "930.109597", "Khảo cổ học",
          "Archaeology--Vietnam", "history", "academic", True),
    Topic("văn học Việt Nam", "Vietnamese literature", "895.92209", "Văn học Việt Nam",
          "Vietnamese literature--History and criticism", "literature", "literary", True),
    Topic("văn học dân gian Việt Nam", "Vietnamese folk literature", "398.209597",
          "Văn học dân gian", "Folk literature, Vietnamese", "literature", "literary", True),
    Topic("thơ Việt Nam hiện đại", "modern Vietnamese poetry", "895.9221", "Thơ",
          "Vietnamese poetry", "literature", "literary", True, "p"),
    Topic("kinh tế Việt Nam", "the Vietnamese economy", "330.9597", "Kinh tế",
          "Vietnam--Economic conditions", "economics", "academic", True),
    Topic("kinh tế học vĩ mô", "macroeconomics", "339", "Kinh tế vĩ mô", "Macroeconomics",
          "economics", "academic", False),
    Topic("quản trị kinh doanh", "business management", "658", "Quản trị kinh doanh",
          "Management", "economics", "academic", False),
    Topic("tài chính ngân hàng", "banking and finance", "332.1", "Ngân hàng",
          "Banks and banking", "economics", "academic", False),
    Topic("giáo dục học", "education", "370", "Giáo dục học", "Education", "education",
          "academic", False),
    Topic("giáo dục Việt Nam", "education in Vietnam", "370.9597", "Giáo dục",
          "Education--Vietnam", "education", "academic", True),
    Topic("tâm lý học", "psychology", "150", "Tâm lý học", "Psychology", "education",
          "academic", True),
    Topic("y học cổ truyền", "traditional medicine", "615.88", "Y học cổ truyền",
          "Traditional medicine", "medicine", "academic", True),
    Topic("điều dưỡng cơ bản", "basic nursing", "610.73", "Điều dưỡng", "Nursing",
          "medicine", "academic", False),
    Topic("nội khoa", "internal medicine", "616", "Nội khoa", "Internal medicine",
          "medicine", "academic", False),
    Topic("dược lý học", "pharmacology", "615.1", "Dược lý học", "Pharmacology",
          "medicine", "academic", False),
    Topic("dinh dưỡng và sức khỏe", "nutrition and health", "613.2", "Dinh dưỡng",
          "Nutrition", "medicine", "general", False),
    Topic("y tế công cộng", "public health", "362.1", "Y tế công cộng", "Public health",
          "medicine", "academic", True),
    Topic("nhi khoa", "paediatrics", "618.92", "Nhi khoa", "Pediatrics", "medicine",
          "academic", False),
    Topic("tin học", "computer science", "004", "Tin học", "Computer science", "computing",
          "academic", True),
    Topic("lập trình Python", "Python programming", "005.133", "Lập trình",
          "Python (Computer program language)", "computing", "academic", False),
    Topic("cơ sở dữ liệu", "database systems", "005.74", "Cơ sở dữ liệu",
          "Database management", "computing", "academic", False),
    Topic("trí tuệ nhân tạo", "artificial intelligence", "006.3", "Trí tuệ nhân tạo",
          "Artificial intelligence", "computing", "academic", True),
    Topic("địa lý Việt Nam", "the geography of Vietnam", "915.97", "Địa lý",
          "Vietnam--Geography", "geography", "academic", False),
    Topic("hóa học hữu cơ", "organic chemistry", "547", "Hóa học hữu cơ",
          "Chemistry, Organic", "science", "academic", False),
    Topic("hóa học", "chemistry", "540", "Hóa học", "Chemistry", "science", "academic", True),
    Topic("toán cao cấp", "higher mathematics", "510", "Toán học", "Mathematics", "science",
          "academic", False),
    Topic("vật lý đại cương", "general physics", "530", "Vật lý", "Physics", "science",
          "academic", False),
    Topic("sinh học", "biology", "570", "Sinh học", "Biology", "science", "academic", True),
    Topic("môi trường và phát triển bền vững", "environment and sustainable development",
          "363.7", "Môi trường", "Environmental protection", "science", "academic", False),
    Topic("nông nghiệp Việt Nam", "Vietnamese agriculture", "630.9597", "Nông nghiệp",
          "Agriculture--Vietnam", "agriculture", "academic", True),
    Topic("kỹ thuật trồng lúa", "rice cultivation", "633.18", "Cây lúa", "Rice",
          "agriculture", "general", False),
    Topic("chăn nuôi gia súc", "livestock farming", "636", "Chăn nuôi", "Livestock",
          "agriculture", "general", False),
    Topic("nuôi trồng thủy sản", "aquaculture", "639.8", "Thủy sản", "Aquaculture",
          "agriculture", "general", False),
    Topic("pháp luật Việt Nam", "Vietnamese law", "349.597", "Pháp luật", "Law--Vietnam",
          "law", "academic", True),
    Topic("luật dân sự", "civil law", "346.597", "Luật dân sự", "Civil law--Vietnam", "law",
          "academic", False),
    Topic("luật hình sự", "criminal law", "345.597", "Luật hình sự", "Criminal law--Vietnam",
          "law", "academic", False),
    Topic("văn hóa Việt Nam", "Vietnamese culture", "306.09597", "Văn hóa",
          "Vietnam--Civilization", "culture", "general", True),
    Topic("âm nhạc truyền thống Việt Nam", "traditional Vietnamese music", "781.6209597",
          "Âm nhạc truyền thống", "Music--Vietnam", "culture", "general", True),
    Topic("mỹ thuật Việt Nam", "Vietnamese art", "709.597", "Mỹ thuật", "Art, Vietnamese",
          "culture", "general", True),
    Topic("du lịch Việt Nam", "tourism in Vietnam", "915.9704", "Du lịch", "Tourism--Vietnam",
          "culture", "general", False),
    Topic("hòa bình và hợp tác quốc tế", "peace and international cooperation", "327.172",
          "Quan hệ quốc tế", "International relations", "politics", "academic", False),
    Topic("tư tưởng Hồ Chí Minh", "Ho Chi Minh's thought", "335.4346", "Tư tưởng Hồ Chí Minh",
          "Communism--Vietnam", "politics", "academic", False),
    Topic("thư viện học", "library science", "020", "Thư viện học", "Library science",
          "library", "academic", True),
    Topic("kỹ năng sống", "life skills", "158.1", "Kỹ năng sống", "Life skills", "school",
          "general", False),
    Topic("tiếng Việt", "the Vietnamese language", "495.922", "Tiếng Việt",
          "Vietnamese language", "language", "academic", True),
    Topic("tiếng Anh", "English for Vietnamese learners", "428.2", "Tiếng Anh",
          "English language--Textbooks for foreign speakers", "language", "academic", False),
    Topic("truyện cổ tích Việt Nam", "Vietnamese fairy tales", "398.209597", "Truyện cổ tích",
          "Fairy tales--Vietnam", "children", "children", False, "1"),
    Topic("truyện tranh lịch sử Việt Nam", "Vietnamese history in pictures", "959.7",
          "Truyện tranh", "Vietnam--History--Comic books, strips, etc.", "children",
          "children", False, "c"),
    Topic("thơ thiếu nhi", "poems for children", "895.9221", "Thơ thiếu nhi",
          "Children's poetry, Vietnamese", "children", "children", False, "p"),
    Topic("khoa học vui", "fun with science", "500", "Khoa học thường thức",
          "Science--Juvenile literature", "children", "children", False),
)
# fmt: on


@dataclass(frozen=True)
class TitleForm:
    """A pattern for a title: `{p}` is the topic phrase, `{P}` the same capitalised.

    `needs` limits it to topics with a history ("history_of": "Lịch sử tin học")
    or to those that also fit "… qua các thời kỳ" ("through_time").
    """

    template: str
    weight: int
    kinds: tuple[str, ...]
    needs: str | None = None


ALL_KINDS = ("academic", "general", "literary", "children")

VIETNAMESE_FORMS: tuple[TitleForm, ...] = (
    TitleForm("Giáo trình {p}", 5, ("academic",)),
    TitleForm("Lịch sử {p}", 6, ("academic", "general", "literary"), "history_of"),
    TitleForm("{P} qua các thời kỳ", 2, ("academic", "general", "literary"), "through_time"),
    TitleForm("Cơ sở {p}", 2, ("academic",)),
    TitleForm("Nhập môn {p}", 2, ("academic",)),
    TitleForm("Đại cương {p}", 1, ("academic",)),
    TitleForm("Bài tập {p}", 1, ("academic",)),
    TitleForm("Hỏi đáp về {p}", 2, ("academic", "general")),
    TitleForm("Tìm hiểu {p}", 2, ("academic", "general", "literary")),
    TitleForm("Một số vấn đề về {p}", 2, ("academic", "general", "literary")),
    TitleForm("Sổ tay {p}", 2, ("general",)),
    TitleForm("Tuyển tập nghiên cứu {p}", 1, ("academic", "literary")),
    TitleForm("Tuyển tập {p}", 3, ("literary", "children")),
    TitleForm("{P} chọn lọc", 2, ("literary", "children")),
    TitleForm("{P}", 2, ALL_KINDS),
)

ENGLISH_FORMS: tuple[TitleForm, ...] = (
    TitleForm("An introduction to {p}", 4, ("academic",)),
    TitleForm("A history of {p}", 3, ("academic", "general", "literary"), "history_of"),
    TitleForm("Essays on {p}", 2, ("academic", "general", "literary")),
    TitleForm("Understanding {p}", 2, ("academic", "general")),
    TitleForm("Readings in {p}", 1, ("academic", "literary")),
    TitleForm("The handbook of {p}", 2, ("academic",)),
    TitleForm("Perspectives on {p}", 2, ("academic", "general", "literary")),
    TitleForm("{P}", 3, ALL_KINDS),
)

VIETNAMESE_SUBTITLES: dict[str, tuple[str, ...]] = {
    "academic": (
        "sách tham khảo",
        "lý luận và thực tiễn",
        "những vấn đề cơ bản",
        "giáo trình dùng cho sinh viên các trường đại học, cao đẳng",
        "sách chuyên khảo",
        "tài liệu bồi dưỡng giáo viên",
    ),
    "general": ("sách tham khảo", "những điều cần biết", "từ truyền thống đến hiện đại"),
    "literary": ("từ truyền thống đến hiện đại", "tác giả và tác phẩm", "nghiên cứu, phê bình"),
    "children": ("dành cho thiếu nhi", "truyện tranh"),
}

ENGLISH_SUBTITLES: dict[str, tuple[str, ...]] = {
    "academic": (
        "theory and practice",
        "concepts and cases",
        "an Asian perspective",
        "a reader",
        "new approaches",
        "case studies from Vietnam",
    ),
    "general": ("a practical guide", "past, present and future"),
    "literary": ("a critical anthology", "texts and contexts"),
    "children": ("stories for young readers",),
}

# fmt: off
# Title, DDC, Vietnamese heading, English heading, category.
FRENCH_TITLES: tuple[tuple[str, str, str, str, str], ...] = (
    ("Histoire du Viêt Nam", "959.7", "Lịch sử", "Vietnam--History", "history"),
    ("La littérature vietnamienne", "895.92209", "Văn học Việt Nam",
     "Vietnamese literature--History and criticism", "literature"),
    ("L'économie du Viêt Nam", "330.9597", "Kinh tế", "Vietnam--Economic conditions",
     "economics"),
    ("La médecine traditionnelle vietnamienne", "615.88", "Y học cổ truyền",
     "Traditional medicine", "medicine"),
    ("L'architecture coloniale à Hanoï", "720.959731", "Kiến trúc",
     "Architecture--Vietnam--Hanoi", "culture"),
    ("Introduction à la langue vietnamienne", "495.922", "Tiếng Việt", "Vietnamese language",
     "language"),
    ("Les religions au Viêt Nam", "200.9597", "Tôn giáo", "Vietnam--Religion", "culture"),
    ("Le delta du Mékong", "915.978", "Địa lý", "Mekong River Delta (Vietnam and Cambodia)",
     "geography"),
)
# fmt: on
FRENCH_SUBTITLES = ("des origines à nos jours", "essai", "approches nouvelles")

# Domain, DDC, category: "Từ điển y học Anh - Việt".
DICTIONARY_DOMAINS: tuple[tuple[str, str, str], ...] = (
    ("y học", "610.3", "medicine"),
    ("kinh tế", "330.03", "economics"),
    ("tin học", "004.03", "computing"),
    ("nông nghiệp", "630.3", "agriculture"),
    ("luật học", "340.03", "law"),
    ("hóa học", "540.3", "science"),
)

# Volume titles of a history of Vietnam in parts (245$p).
HISTORY_PERIODS = (
    "Từ khởi thủy đến thế kỷ X",
    "Từ thế kỷ X đến thế kỷ XV",
    "Từ thế kỷ XVI đến năm 1858",
    "Từ năm 1858 đến năm 1945",
)

VIETNAMESE_SERIES: dict[str, str] = {
    "history": "Tủ sách Thăng Long ngàn năm văn hiến",
    "literature": "Văn học trong nhà trường",
    "economics": "Tủ sách Kinh tế",
    "education": "Tủ sách Đại học",
    "medicine": "Tủ sách Y học phổ thông",
    "computing": "Tủ sách Tin học",
    "science": "Tủ sách Đại học",
    "agriculture": "Tủ sách Nhà nông",
    "law": "Tủ sách Pháp luật phổ thông",
    "culture": "Tủ sách Khoa học xã hội",
    "politics": "Tủ sách Lý luận chính trị",
    "school": "Tủ sách Kỹ năng sống",
    "children": "Tủ sách Tuổi thơ",
}
ENGLISH_SERIES = (
    "Studies in Southeast Asia",
    "Contemporary Asian economies",
    "Texts in applied science",
    "Health and society in Asia",
)


@dataclass(frozen=True)
class Publisher:
    """A publisher, where it publishes, and the ISBN prefix its numbers start with.

    The registrant parts of the prefixes are invented for the demo.
    `categories` are what it mostly publishes; empty means anything.
    """

    name: str
    place: str
    country: str
    isbn_prefix: str
    categories: tuple[str, ...] = ()


# fmt: off
VIETNAMESE_PUBLISHERS: tuple[Publisher, ...] = (
    Publisher("Nxb. Giáo dục Việt Nam", "Hà Nội", "vm ", "978-604-0",
              ("education", "school", "science", "language", "literature", "history",
               "geography", "children")),
    Publisher("Nxb. Chính trị Quốc gia Sự thật", "Hà Nội", "vm ", "978-604-57",
              ("politics", "history", "law", "economics")),
    Publisher("Nxb. Đại học Quốc gia Hà Nội", "Hà Nội", "vm ", "978-604-62",
              ("history", "economics", "computing", "science", "law", "culture", "library",
               "language", "education", "geography")),
    Publisher("Nxb. Trẻ", "TP. Hồ Chí Minh", "vm ", "978-604-1",
              ("literature", "culture", "school", "children")),
    Publisher("Nxb. Kim Đồng", "Hà Nội", "vm ", "978-604-2", ("children", "school")),
    Publisher("Nxb. Văn học", "Hà Nội", "vm ", "978-604-69", ("literature", "culture")),
    Publisher("Nxb. Y học", "Hà Nội", "vm ", "978-604-66", ("medicine",)),
    Publisher("Nxb. Khoa học xã hội", "Hà Nội", "vm ", "978-604-956",
              ("history", "culture", "economics", "library", "language", "literature")),
    Publisher("Nxb. Tổng hợp Thành phố Hồ Chí Minh", "TP. Hồ Chí Minh", "vm ", "978-604-58",
              ("history", "culture", "economics", "computing", "medicine", "literature",
               "school")),
    Publisher("Nxb. Đà Nẵng", "Đà Nẵng", "vm ", "978-604-84",
              ("culture", "literature", "history", "geography")),
    Publisher("Nxb. Thuận Hóa", "Huế", "vm ", "978-604-974", ("culture", "literature", "history")),
    Publisher("Nxb. Hội Nhà văn", "Hà Nội", "vm ", "978-604-53", ("literature",)),
    Publisher("Nxb. Nông nghiệp", "Hà Nội", "vm ", "978-604-60", ("agriculture",)),
    Publisher("Nxb. Tư pháp", "Hà Nội", "vm ", "978-604-81", ("law",)),
    Publisher("Nxb. Khoa học và Kỹ thuật", "Hà Nội", "vm ", "978-604-67",
              ("science", "computing", "agriculture", "medicine")),
    Publisher("Nxb. Đại học Quốc gia Thành phố Hồ Chí Minh", "TP. Hồ Chí Minh", "vm ",
              "978-604-73", ("economics", "computing", "science", "law", "education")),
    Publisher("Nxb. Thông tin và Truyền thông", "Hà Nội", "vm ", "978-604-80",
              ("computing", "library")),
    Publisher("Nxb. Lao động", "Hà Nội", "vm ", "978-604-59",
              ("economics", "law", "politics", "school")),
)
# fmt: on

ENGLISH_PUBLISHERS: tuple[Publisher, ...] = (
    Publisher("Oxford University Press", "Oxford", "enk", "978-0-19"),
    Publisher("Routledge", "London", "enk", "978-1-138"),
    Publisher("Cambridge University Press", "Cambridge", "enk", "978-1-107"),
    Publisher("Wiley", "Hoboken, NJ", "nju", "978-1-118"),
    Publisher("Elsevier", "Amsterdam", "ne ", "978-0-12", ("medicine", "science")),
    Publisher(
        "Cornell University Press",
        "Ithaca",
        "nyu",
        "978-0-8014",
        ("history", "politics", "culture", "literature"),
    ),
    Publisher(
        "Springer",
        "Cham",
        "sz ",
        "978-3-319",
        ("computing", "science", "medicine", "agriculture", "economics"),
    ),
    Publisher(
        "NUS Press",
        "Singapore",
        "si ",
        "978-9971-69",
        ("history", "culture", "economics", "politics", "literature"),
    ),
)

FRENCH_PUBLISHERS: tuple[Publisher, ...] = (
    Publisher("L'Harmattan", "Paris", "fr ", "978-2-296"),
    Publisher("Presses universitaires de France", "Paris", "fr ", "978-2-13"),
    Publisher("Les Indes savantes", "Paris", "fr ", "978-2-84654"),
)

PUBLISHERS_BY_NAME: dict[str, Publisher] = {
    publisher.name: publisher
    for publisher in VIETNAMESE_PUBLISHERS + ENGLISH_PUBLISHERS + FRENCH_PUBLISHERS
}

# fmt: off
VIETNAMESE_FAMILY_NAMES: tuple[tuple[str, int], ...] = (
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 5), ("Huỳnh", 3),
    ("Phan", 4), ("Vũ", 4), ("Võ", 3), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 2),
    ("Ngô", 2), ("Dương", 1), ("Lý", 1), ("Đinh", 1), ("Trương", 1),
)
# "Văn" and "Thị" appear twice: they are that much commoner than the rest.
MALE_MIDDLE_NAMES = ("Văn", "Hữu", "Đức", "Minh", "Quang", "Công", "Xuân", "Huy", "Thanh",
                     "Ngọc", "Mạnh", "Quốc", "Văn")
MALE_GIVEN_NAMES = ("An", "Bình", "Cường", "Dũng", "Hùng", "Hải", "Long", "Nam", "Phong",
                    "Quân", "Sơn", "Thắng", "Tuấn", "Việt", "Khoa", "Lâm", "Hòa", "Trung",
                    "Hiếu", "Lợi", "Thành", "Đạt")
FEMALE_MIDDLE_NAMES = ("Thị", "Thị Thu", "Thị Thanh", "Thị Ngọc", "Thị Minh", "Thị Kim", "Thu",
                       "Ngọc", "Thị Hồng", "Thị")
FEMALE_GIVEN_NAMES = ("Hà", "Hương", "Lan", "Linh", "Mai", "Nhung", "Phương", "Thảo", "Thủy",
                      "Trang", "Yến", "Hoa", "Thúy", "Thùy", "Hạnh", "Nga", "Loan", "Hòa",
                      "Huyền", "Oanh")

ENGLISH_FAMILY_NAMES = ("Smith", "Taylor", "Brown", "Wilson", "Clarke", "Wright", "Harris",
                        "Turner", "Walker", "Hughes", "Kelly", "Morris", "Nguyen", "Tran", "Chen",
                        "Tan", "Evans", "Cooper", "Baker", "Fletcher", "Lim", "Okafor")
ENGLISH_GIVEN_NAMES = ("John", "Mary", "David", "Sarah", "Michael", "Anne", "Peter", "Laura",
                       "James", "Helen", "Thomas", "Ruth", "Daniel", "Emma", "Robert", "Claire",
                       "Mark", "Susan", "Thanh", "Linh", "Wei", "Kwame")
FRENCH_FAMILY_NAMES = ("Dupont", "Martin", "Lefèvre", "Moreau", "Bernard", "Girard", "Lemoine")
FRENCH_GIVEN_NAMES = ("Pierre", "Marie", "Jean", "Claire", "François", "Hélène", "Philippe")
# fmt: on


@dataclass(frozen=True)
class Person:
    """An author as the title page names them and as a heading gives them.

    Vietnamese names stand in direct order, family name first ("Nguyễn Văn An");
    Western ones are headed "Family, Given". A pen name ("Tô Hoài") is never
    inverted.
    """

    family: str
    given: str
    dates: str | None = None
    western: bool = False
    pen_name: bool = False

    @property
    def display_name(self) -> str:
        """The name as on the title page, for 245$c."""
        if self.western:
            return f"{self.given} {self.family}"
        return f"{self.family} {self.given}"

    def heading(self, invert_vietnamese: bool) -> tuple[str, str]:
        """Return the first indicator and 100$a/700$a for this person."""
        if self.western or (invert_vietnamese and not self.pen_name):
            return "1", f"{self.family}, {self.given}"
        return "0", f"{self.family} {self.given}"


@dataclass(frozen=True)
class ClassicWork:
    """A well-known work printed in several editions: (publisher, year, reprint, pages, cm)."""

    title: str
    subtitle: str | None
    author: Person
    ddc: str
    subjects: tuple[str, ...]
    literary_form: str
    audience: str
    biography: str
    editions: tuple[tuple[str, int, int | None, int, int], ...]


# fmt: off
CLASSIC_WORKS: tuple[ClassicWork, ...] = (
    ClassicWork("Truyện Kiều", None, Person("Nguyễn", "Du", "1765-1820"), "895.9221",
                ("Văn học cận đại", "Truyện thơ"), "p", " ", " ",
                (("Nxb. Văn học", 2015, None, 236, 21), ("Nxb. Kim Đồng", 2019, None, 280, 19),
                 ("Nxb. Giáo dục Việt Nam", 2012, 2, 212, 21),
                 ("Nxb. Hội Nhà văn", 2021, 3, 300, 24), ("Nxb. Văn học", 1995, None, 198, 19))),
    ClassicWork("Nhật ký Đặng Thùy Trâm", None, Person("Đặng", "Thùy Trâm", "1942-1970"),
                "895.9228", ("Văn học hiện đại", "Nhật ký"), "0", " ", "a",
                (("Nxb. Hội Nhà văn", 2005, None, 300, 21), ("Nxb. Hội Nhà văn", 2008, 2, 312, 21),
                 ("Nxb. Văn học", 2017, None, 296, 21), ("Nxb. Hội Nhà văn", 2020, 5, 310, 24))),
    ClassicWork("Dế Mèn phiêu lưu ký", None, Person("Tô", "Hoài", "1920-2014", pen_name=True),
                "895.9223", ("Văn học thiếu nhi", "Truyện dài"), "f", "j", " ",
                (("Nxb. Kim Đồng", 2011, None, 144, 21), ("Nxb. Kim Đồng", 2018, 2, 148, 21),
                 ("Nxb. Văn học", 2016, None, 160, 19), ("Nxb. Kim Đồng", 1998, None, 140, 19))),
    ClassicWork("Số đỏ", None, Person("Vũ", "Trọng Phụng", "1912-1939"), "895.9223",
                ("Văn học hiện đại", "Tiểu thuyết"), "f", " ", " ",
                (("Nxb. Văn học", 2016, None, 252, 21), ("Nxb. Hội Nhà văn", 2019, None, 268, 21),
                 ("Nxb. Văn học", 2022, 2, 256, 21))),
    ClassicWork("Tắt đèn", None, Person("Ngô", "Tất Tố", "1893-1954"), "895.9223",
                ("Văn học hiện đại", "Tiểu thuyết"), "f", " ", " ",
                (("Nxb. Văn học", 2015, None, 180, 21), ("Nxb. Kim Đồng", 2020, None, 196, 19))),
    ClassicWork("Chí Phèo", "tập truyện ngắn", Person("Nam", "Cao", "1915-1951", pen_name=True),
                "895.9223", ("Văn học hiện đại", "Truyện ngắn"), "j", " ", " ",
                (("Nxb. Văn học", 2018, None, 220, 21), ("Nxb. Hội Nhà văn", 2016, None, 236, 21))),
)
# fmt: on

# Vietnamese books carry 978-604 ISBNs from 2008 on; older ones in our demo have none.
FIRST_VIETNAMESE_ISBN_YEAR = 2008
FIRST_ISBN_YEAR = 1975
LAST_YEAR = 2025

GENERIC_VIETNAMESE_EDITIONS = 760
GENERIC_ENGLISH_EDITIONS = 430
GENERIC_FRENCH_EDITIONS = 24
VIETNAMESE_SETS = 28
ENGLISH_SETS = 4
DICTIONARY_EDITIONS = 10

# How many libraries hold one edition: 1 to 6, most editions in just one.
HOLDER_COUNT_WEIGHTS = (62, 14, 10, 7, 4, 3)


@dataclass(frozen=True)
class CataloguingPractice:
    """How one library catalogues, and what it collects.

    The habits are what make two libraries' records for one edition differ.
    `isbn_forms` are drawn per record from "isbn13", "isbn13-plain", "isbn10"
    and "isbn10-plain". The `*_share` values are chances per record.
    """

    local_id_format: str
    first_local_id: int
    barcode_format: str
    collection_weight: float
    language_weights: dict[str, float]
    category_weights: dict[str, float]
    other_category_weight: float
    uses_rda: bool
    inverts_vietnamese_names: bool
    english_headings: bool
    isbn_forms: tuple[str, ...]
    subject_thesaurus: str | None
    ddc_edition: str
    ddc_max_decimals: int
    modern_tone_share: float
    loose_punctuation_share: float
    decomposed_share: float
    omission_share: float
    locations: tuple[str, ...]
    foreign_location: str
    copy_weights: tuple[int, int, int, int, int]


PRACTICES: dict[str, CataloguingPractice] = {
    "VN-NLV": CataloguingPractice(
        local_id_format="NLV{number:08d}",
        first_local_id=10_240_000,
        barcode_format="VV{number:07d}",
        collection_weight=3.0,
        language_weights={"vie": 1.8, "eng": 0.55, "fre": 1.2},
        category_weights={},
        other_category_weight=1.0,
        uses_rda=True,
        inverts_vietnamese_names=False,
        english_headings=False,
        isbn_forms=("isbn13",),
        subject_thesaurus="Bộ TK TVQG",
        ddc_edition="23",
        ddc_max_decimals=9,
        modern_tone_share=0.0,
        loose_punctuation_share=0.02,
        decomposed_share=0.0,
        omission_share=0.02,
        locations=("Kho đọc", "Kho lưu chiểu"),
        foreign_location="Kho ngoại văn",
        copy_weights=(30, 50, 15, 4, 1),
    ),
    "VN-HCMGSL": CataloguingPractice(
        local_id_format="{number}",
        first_local_id=118_000,
        barcode_format="KHTH{number:06d}",
        collection_weight=1.7,
        language_weights={"vie": 1.2, "eng": 0.7, "fre": 0.8},
        category_weights={},
        other_category_weight=1.0,
        uses_rda=False,
        inverts_vietnamese_names=False,
        english_headings=False,
        isbn_forms=("isbn13", "isbn13-plain"),
        subject_thesaurus="Bộ TK TVQG",
        ddc_edition="14",
        ddc_max_decimals=4,
        modern_tone_share=0.1,
        loose_punctuation_share=0.15,
        decomposed_share=0.0,
        omission_share=0.06,
        locations=("Kho đọc", "Kho mượn"),
        foreign_location="Phòng đọc ngoại văn",
        copy_weights=(30, 35, 20, 10, 5),
    ),
    "VN-DNGSL": CataloguingPractice(
        local_id_format="DNG{number:07d}",
        first_local_id=45_000,
        barcode_format="DN{number:07d}",
        collection_weight=1.1,
        language_weights={"vie": 1.2, "eng": 0.25, "fre": 0.3},
        category_weights={},
        other_category_weight=1.0,
        uses_rda=False,
        inverts_vietnamese_names=False,
        english_headings=False,
        isbn_forms=("isbn10", "isbn13"),
        subject_thesaurus=None,
        ddc_edition="14",
        ddc_max_decimals=3,
        modern_tone_share=0.6,
        loose_punctuation_share=0.3,
        decomposed_share=0.0,
        omission_share=0.08,
        locations=("Kho mượn", "Kho đọc"),
        foreign_location="Kho đọc",
        copy_weights=(35, 35, 20, 7, 3),
    ),
    "VN-VNU": CataloguingPractice(
        local_id_format="{number:09d}",
        first_local_id=52_000,
        barcode_format="VNU{number:08d}",
        collection_weight=1.5,
        language_weights={"vie": 0.8, "eng": 1.8, "fre": 1.0},
        category_weights={"children": 0.03, "school": 0.2, "agriculture": 0.6},
        other_category_weight=1.0,
        uses_rda=True,
        inverts_vietnamese_names=True,
        english_headings=True,
        isbn_forms=("isbn13-plain", "isbn10-plain"),
        subject_thesaurus="Bộ TK TVQG",
        ddc_edition="23",
        ddc_max_decimals=9,
        modern_tone_share=0.05,
        loose_punctuation_share=0.05,
        decomposed_share=0.0,
        omission_share=0.04,
        locations=("Kho giáo trình", "Kho tham khảo"),
        foreign_location="Kho tham khảo ngoại văn",
        copy_weights=(25, 20, 20, 15, 20),
    ),
    "VN-CML": CataloguingPractice(
        local_id_format="YH{number:07d}",
        first_local_id=21_000,
        barcode_format="CML{number:06d}",
        collection_weight=1.0,
        language_weights={"vie": 1.0, "eng": 1.4, "fre": 0.8},
        category_weights={"medicine": 14.0, "science": 0.5},
        other_category_weight=0.02,
        uses_rda=True,
        inverts_vietnamese_names=False,
        english_headings=True,
        isbn_forms=("isbn13",),
        subject_thesaurus=None,
        ddc_edition="23",
        ddc_max_decimals=9,
        modern_tone_share=0.15,
        loose_punctuation_share=0.1,
        decomposed_share=0.0,
        omission_share=0.05,
        locations=("Kho đọc", "Kho mượn"),
        foreign_location="Kho tài liệu ngoại văn",
        copy_weights=(40, 35, 15, 7, 3),
    ),
    "VN-HNGL": CataloguingPractice(
        local_id_format="{number}",
        first_local_id=1_001,
        barcode_format="GL{number:05d}",
        collection_weight=0.32,
        language_weights={"vie": 1.0, "eng": 0.01, "fre": 0.0},
        category_weights={
            "children": 3.0,
            "school": 2.0,
            "literature": 2.0,
            "agriculture": 3.0,
            "law": 1.5,
            "culture": 1.5,
            "history": 1.2,
            "medicine": 0.5,
        },
        other_category_weight=0.2,
        uses_rda=False,
        inverts_vietnamese_names=False,
        english_headings=False,
        isbn_forms=("isbn13", "isbn10"),
        subject_thesaurus=None,
        ddc_edition="14",
        ddc_max_decimals=1,
        modern_tone_share=0.4,
        loose_punctuation_share=0.4,
        decomposed_share=1.0,
        omission_share=0.15,
        locations=("Kho mượn", "Phòng đọc thiếu nhi"),
        foreign_location="Kho mượn",
        copy_weights=(40, 30, 20, 7, 3),
    ),
    "VN-HNCVA": CataloguingPractice(
        local_id_format="CVA{number:05d}",
        first_local_id=301,
        barcode_format="HS{number:05d}",
        collection_weight=0.25,
        language_weights={"vie": 1.0, "eng": 0.08, "fre": 0.0},
        category_weights={
            "children": 2.0,
            "school": 4.0,
            "literature": 3.0,
            "language": 3.0,
            "science": 2.0,
            "history": 2.0,
            "geography": 2.0,
        },
        other_category_weight=0.15,
        uses_rda=False,
        inverts_vietnamese_names=False,
        english_headings=False,
        isbn_forms=("isbn13-plain",),
        subject_thesaurus=None,
        ddc_edition="14",
        ddc_max_decimals=1,
        modern_tone_share=0.3,
        loose_punctuation_share=0.5,
        decomposed_share=0.2,
        omission_share=0.2,
        locations=("Kho sách giáo khoa", "Phòng đọc"),
        foreign_location="Phòng đọc",
        copy_weights=(15, 20, 25, 20, 20),
    ),
}

# ---------------------------------------------------------------------------
# Editions
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Edition:
    """One edition as published, before any library describes it.

    `isbn` is the hyphenated ISBN-13, or None for books without one.
    `editor_led` means the first person edited (chủ biên) rather than wrote it,
    so the record has no 100 and the people go in 700.
    """

    language: str
    title: str
    subtitle: str | None
    part_number: str | None
    part_name: str | None
    authors: tuple[Person, ...]
    editor_led: bool
    publisher: Publisher
    year: int
    isbn: str | None
    reprint: int | None
    pages: int
    preliminary_pages: str | None
    height_cm: int
    illustrated: bool
    ddc: str
    category: str
    subjects_vi: tuple[str, ...]
    subjects_en: tuple[str, ...]
    country_subject: bool
    series: tuple[str, int] | None
    literary_form: str
    audience: str
    biography: str
    bibliography_pages: tuple[int, int] | None
    has_index: bool
    price_vnd: int | None
    binding: str | None
    other_languages: tuple[str, ...] = ()
    is_classic: bool = False


def isbn13_check_digit(first_twelve: str) -> str:
    """Return the ISBN-13 check digit for twelve digits (weights 1, 3, 1, 3, …)."""
    total = sum(int(digit) * (3 if index % 2 else 1) for index, digit in enumerate(first_twelve))
    return str((10 - total % 10) % 10)


def isbn10_check_digit(first_nine: str) -> str:
    """Return the ISBN-10 check digit for nine digits (weights 10 down to 2, modulo 11)."""
    total = sum(int(digit) * (10 - index) for index, digit in enumerate(first_nine))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def make_isbn(prefix: str, used_isbns: set[str], rng: random.Random) -> str:
    """Draw a new hyphenated ISBN-13 under `prefix` that no other edition has.

    `prefix` is the EAN, group and registrant ("978-604-62"); the publication
    part fills the remaining digits and the check digit is computed.
    """
    prefix_digits = prefix.replace("-", "")
    publication_length = 12 - len(prefix_digits)
    while True:
        publication = f"{rng.randrange(10**publication_length):0{publication_length}d}"
        digits = prefix_digits + publication
        if digits not in used_isbns:
            used_isbns.add(digits)
            return f"{prefix}-{publication}-{isbn13_check_digit(digits)}"


def format_isbn(isbn13: str, form: str) -> str:
    """Write a hyphenated 978 ISBN-13 as a library might: "isbn13", "isbn10-plain", …."""
    if form.startswith("isbn10"):
        hyphenated = isbn13.removeprefix("978-")
        body = hyphenated[:-1]
        written = body + isbn10_check_digit(body.replace("-", ""))
    else:
        written = isbn13
    return written.replace("-", "") if form.endswith("-plain") else written


def capitalise_first(text: str) -> str:
    """Upper-case the first letter only, as titles are written in Vietnamese and English."""
    return text[:1].upper() + text[1:]


def _form_fits(form: TitleForm, topic: Topic) -> bool:
    if topic.kind not in form.kinds:
        return False
    if form.needs == "history_of":
        return topic.has_history
    if form.needs == "through_time":
        return topic.has_history or topic.category == "history"
    return True


def make_title(topic: Topic, language: str, rng: random.Random) -> str:
    """Build a title for `topic` from a title form that fits it.

    "văn học Việt Nam" becomes, say, "Lịch sử văn học Việt Nam" or
    "Tìm hiểu văn học Việt Nam"; in English, "A history of Vietnamese literature".
    """
    forms = VIETNAMESE_FORMS if language == "vie" else ENGLISH_FORMS
    phrase = topic.phrase_vi if language == "vie" else topic.phrase_en
    fitting = [form for form in forms if _form_fits(form, topic)]
    form = rng.choices(fitting, weights=[form.weight for form in fitting])[0]
    title = form.template.replace("{P}", capitalise_first(phrase)).replace("{p}", phrase)
    return capitalise_first(title)


def make_vietnamese_person(rng: random.Random) -> Person:
    """Invent a Vietnamese author: family, middle and given name, a few with a birth year."""
    family = rng.choices(
        [name for name, _ in VIETNAMESE_FAMILY_NAMES],
        weights=[weight for _, weight in VIETNAMESE_FAMILY_NAMES],
    )[0]
    if rng.random() < 0.55:
        given = f"{rng.choice(MALE_MIDDLE_NAMES)} {rng.choice(MALE_GIVEN_NAMES)}"
    else:
        given = f"{rng.choice(FEMALE_MIDDLE_NAMES)} {rng.choice(FEMALE_GIVEN_NAMES)}"
    dates = f"{rng.randint(1940, 1985)}-" if rng.random() < 0.12 else None
    return Person(family, given, dates)


def make_western_person(language: str, rng: random.Random) -> Person:
    """Invent an English- or French-language author, headed "Family, Given"."""
    if language == "fre":
        return Person(rng.choice(FRENCH_FAMILY_NAMES), rng.choice(FRENCH_GIVEN_NAMES), western=True)
    given = rng.choice(ENGLISH_GIVEN_NAMES)
    if rng.random() < 0.3:
        given += f" {rng.choice('ABCDEJKLMPRSTW')}."
    dates = f"{rng.randint(1935, 1980)}-" if rng.random() < 0.1 else None
    return Person(rng.choice(ENGLISH_FAMILY_NAMES), given, dates, western=True)


@dataclass
class AuthorPools:
    """Authors drawn once and reused, so prolific authors recur across titles."""

    vietnamese: list[Person]
    english: list[Person]
    french: list[Person]

    def draw(self, language: str, count: int, rng: random.Random) -> tuple[Person, ...]:
        """Draw `count` different authors writing in `language`."""
        pool = {"vie": self.vietnamese, "eng": self.english}.get(language, self.french)
        return tuple(rng.sample(pool, count))


def make_author_pools(rng: random.Random) -> AuthorPools:
    """Invent the demo's authors: about 320 Vietnamese, 180 English, 20 French."""
    return AuthorPools(
        vietnamese=[make_vietnamese_person(rng) for _ in range(320)],
        english=[make_western_person("eng", rng) for _ in range(180)],
        french=[make_western_person("fre", rng) for _ in range(20)],
    )


def choose_publisher(
    publishers: tuple[Publisher, ...], category: str, rng: random.Random
) -> Publisher:
    """Pick a publisher that publishes in `category`, or any general one."""
    fitting = [p for p in publishers if not p.categories or category in p.categories]
    return rng.choice(fitting or list(publishers))


def make_year(language: str, rng: random.Random) -> int:
    """Draw a publication year: mostly recent, a fifth of Vietnamese books before 2008."""
    if language == "vie":
        if rng.random() < 0.2:
            return rng.randint(1976, FIRST_VIETNAMESE_ISBN_YEAR - 1)
        return LAST_YEAR - int(rng.triangular(0, LAST_YEAR - FIRST_VIETNAMESE_ISBN_YEAR, 3))
    if rng.random() < 0.1:
        return rng.randint(1965, 1989)
    return rng.randint(1990, LAST_YEAR - 1)


def has_isbn(language: str, year: int) -> bool:
    """Whether a book of this language and year carries an ISBN in the demo."""
    first_year = FIRST_VIETNAMESE_ISBN_YEAR if language == "vie" else FIRST_ISBN_YEAR
    return year >= first_year


def _draw_author_count(rng: random.Random) -> tuple[int, bool]:
    count = rng.choices((0, 1, 2, 3, 4), weights=(6, 55, 20, 10, 9))[0]
    editor_led = count >= 3 and rng.random() < 0.7
    return count, editor_led


def make_edition(
    language: str, topic: Topic, authors: AuthorPools, used_isbns: set[str], rng: random.Random
) -> Edition:
    """Invent one Vietnamese or English edition on `topic`."""
    vietnamese = language == "vie"
    children = topic.kind == "children"
    subtitles = VIETNAMESE_SUBTITLES if vietnamese else ENGLISH_SUBTITLES
    subtitle = (
        rng.choice(subtitles[topic.kind]) if rng.random() < (0.3 if vietnamese else 0.5) else None
    )
    count, editor_led = _draw_author_count(rng)
    publishers = VIETNAMESE_PUBLISHERS if vietnamese else ENGLISH_PUBLISHERS
    publisher = choose_publisher(publishers, topic.category, rng)
    year = make_year(language, rng)
    isbn = make_isbn(publisher.isbn_prefix, used_isbns, rng) if has_isbn(language, year) else None
    academic = topic.kind == "academic"
    series = None
    if rng.random() < 0.12:
        name = VIETNAMESE_SERIES.get(topic.category) if vietnamese else rng.choice(ENGLISH_SERIES)
        series = (name, rng.randint(1, 60)) if name else None
    return Edition(
        language=language,
        title=make_title(topic, language, rng),
        subtitle=subtitle,
        part_number=None,
        part_name=None,
        authors=authors.draw(language, count, rng),
        editor_led=editor_led,
        publisher=publisher,
        year=year,
        isbn=isbn,
        reprint=rng.randint(1, 5) if rng.random() < 0.18 else None,
        pages=rng.randint(24, 180) if children else rng.randint(96, 680),
        preliminary_pages=None
        if vietnamese or rng.random() < 0.4
        else rng.choice(("viii", "x", "xii", "xiv", "xvi", "xx", "xxiv")),
        height_cm=rng.choice((19, 21) if children else (19, 21, 21, 24, 24, 27))
        if vietnamese
        else rng.choice((23, 24, 24, 25, 26)),
        illustrated=rng.random() < (0.9 if children else 0.4),
        ddc=topic.ddc,
        category=topic.category,
        subjects_vi=(topic.heading_vi,),
        subjects_en=(topic.heading_en,),
        country_subject="Việt Nam" in topic.phrase_vi,
        series=series,
        literary_form=topic.literary_form,
        audience="j" if children else ("d" if topic.category == "school" else " "),
        biography=" ",
        bibliography_pages=_make_bibliography_pages(rng)
        if academic and rng.random() < 0.5
        else None,
        has_index=academic and rng.random() < (0.15 if vietnamese else 0.6),
        price_vnd=rng.randrange(30, 400) * 1000
        if vietnamese and isbn and rng.random() < 0.7
        else None,
        binding=_draw_binding(language, rng),
    )


def _make_bibliography_pages(rng: random.Random) -> tuple[int, int]:
    start = rng.randint(180, 600)
    return start, start + rng.randint(3, 20)


def _draw_binding(language: str, rng: random.Random) -> str | None:
    if rng.random() > 0.2:
        return None
    if language == "vie":
        return rng.choice(("bìa mềm", "bìa cứng"))
    return rng.choice(("paperback", "hardback"))


def make_french_edition(authors: AuthorPools, used_isbns: set[str], rng: random.Random) -> Edition:
    """Invent one French edition on Vietnam, as the national and university libraries buy."""
    title, ddc, heading_vi, heading_en, category = rng.choice(FRENCH_TITLES)
    publisher = rng.choice(FRENCH_PUBLISHERS)
    year = rng.randint(1970, LAST_YEAR - 1)
    count = rng.choice((1, 1, 2))
    return Edition(
        language="fre",
        title=title,
        subtitle=rng.choice(FRENCH_SUBTITLES) if rng.random() < 0.4 else None,
        part_number=None,
        part_name=None,
        authors=authors.draw("fre", count, rng),
        editor_led=False,
        publisher=publisher,
        year=year,
        isbn=make_isbn(publisher.isbn_prefix, used_isbns, rng) if has_isbn("fre", year) else None,
        reprint=None,
        pages=rng.randint(120, 420),
        preliminary_pages=None,
        height_cm=rng.choice((21, 22, 24)),
        illustrated=rng.random() < 0.4,
        ddc=ddc,
        category=category,
        subjects_vi=(heading_vi,),
        subjects_en=(heading_en,),
        country_subject=True,
        series=None,
        literary_form="0",
        audience=" ",
        biography=" ",
        bibliography_pages=_make_bibliography_pages(rng) if rng.random() < 0.6 else None,
        has_index=rng.random() < 0.4,
        price_vnd=None,
        binding=None,
    )


def make_multivolume_set(
    language: str, authors: AuthorPools, used_isbns: set[str], rng: random.Random
) -> tuple[Edition, ...]:
    """Invent a set in volumes ("Tập 1", "Tập 2", …), each with its own ISBN."""
    topics = [topic for topic in TOPICS if topic.kind in ("academic", "literary", "children")]
    topic = rng.choice(topics)
    base = make_edition(language, topic, authors, used_isbns, rng)
    volume_count = rng.randint(2, 4)
    history = topic.phrase_vi == "lịch sử Việt Nam" and language == "vie"
    if history:
        base = dataclasses.replace(base, title="Lịch sử Việt Nam")
    label = "Tập" if language == "vie" else "Volume"
    volumes = []
    for number in range(1, volume_count + 1):
        isbn = make_isbn(base.publisher.isbn_prefix, used_isbns, rng) if base.isbn else None
        volumes.append(
            dataclasses.replace(
                base,
                subtitle=None,
                part_number=f"{label} {number}",
                part_name=HISTORY_PERIODS[number - 1] if history else None,
                isbn=isbn,
                pages=base.pages + rng.randint(-40, 60),
            )
        )
    return tuple(volumes)


def make_dictionary(authors: AuthorPools, used_isbns: set[str], rng: random.Random) -> Edition:
    """Invent an English-Vietnamese subject dictionary, the kind every library has."""
    domain, ddc, category = rng.choice(DICTIONARY_DOMAINS)
    publisher = choose_publisher(VIETNAMESE_PUBLISHERS, category, rng)
    year = make_year("vie", rng)
    isbn = make_isbn(publisher.isbn_prefix, used_isbns, rng) if has_isbn("vie", year) else None
    return Edition(
        language="vie",
        title=f"Từ điển {domain} Anh - Việt",
        subtitle=f"khoảng {rng.choice((25, 30, 40, 50, 60))}.000 thuật ngữ"
        if rng.random() < 0.5
        else None,
        part_number=None,
        part_name=None,
        authors=authors.draw("vie", rng.randint(1, 3), rng),
        editor_led=True,
        publisher=publisher,
        year=year,
        isbn=isbn,
        reprint=rng.randint(1, 3) if rng.random() < 0.3 else None,
        pages=rng.randint(600, 1400),
        preliminary_pages=None,
        height_cm=rng.choice((21, 24)),
        illustrated=False,
        ddc=ddc,
        category=category,
        subjects_vi=("Từ điển", capitalise_first(domain)),
        subjects_en=("English language--Dictionaries--Vietnamese",),
        country_subject=False,
        series=None,
        literary_form="0",
        audience=" ",
        biography=" ",
        bibliography_pages=None,
        has_index=False,
        price_vnd=rng.randrange(150, 600) * 1000 if isbn else None,
        binding="bìa cứng" if rng.random() < 0.3 else None,
        other_languages=("eng",),
    )


def make_classic_editions(used_isbns: set[str], rng: random.Random) -> list[Edition]:
    """Build the editions of the classics: same work, distinct publishers, years and ISBNs."""
    editions = []
    for work in CLASSIC_WORKS:
        for publisher_name, year, reprint, pages, height in work.editions:
            publisher = PUBLISHERS_BY_NAME[publisher_name]
            isbn = (
                make_isbn(publisher.isbn_prefix, used_isbns, rng) if has_isbn("vie", year) else None
            )
            editions.append(
                Edition(
                    language="vie",
                    title=work.title,
                    subtitle=work.subtitle,
                    part_number=None,
                    part_name=None,
                    authors=(work.author,),
                    editor_led=False,
                    publisher=publisher,
                    year=year,
                    isbn=isbn,
                    reprint=reprint,
                    pages=pages,
                    preliminary_pages=None,
                    height_cm=height,
                    illustrated=work.audience == "j",
                    ddc=work.ddc,
                    category="literature",
                    subjects_vi=work.subjects,
                    subjects_en=("Vietnamese literature",),
                    country_subject=True,
                    series=("Văn học trong nhà trường", rng.randint(1, 40))
                    if rng.random() < 0.3
                    else None,
                    literary_form=work.literary_form,
                    audience=work.audience,
                    biography=work.biography,
                    bibliography_pages=None,
                    has_index=False,
                    price_vnd=rng.randrange(45, 180) * 1000 if isbn else None,
                    binding=None,
                    is_classic=True,
                )
            )
    return editions


def make_editions(rng: random.Random) -> list[tuple[Edition, ...]]:
    """Invent every edition in the union, grouped so a set's volumes are bought together."""
    used_isbns: set[str] = set()
    authors = make_author_pools(rng)
    groups: list[tuple[Edition, ...]] = [
        (edition,) for edition in make_classic_editions(used_isbns, rng)
    ]
    for _ in range(GENERIC_VIETNAMESE_EDITIONS):
        groups.append((make_edition("vie", rng.choice(TOPICS), authors, used_isbns, rng),))
    english_topics = [topic for topic in TOPICS if topic.kind != "children"]
    for _ in range(GENERIC_ENGLISH_EDITIONS):
        topic = rng.choice(english_topics)
        groups.append((make_edition("eng", topic, authors, used_isbns, rng),))
    for _ in range(GENERIC_FRENCH_EDITIONS):
        groups.append((make_french_edition(authors, used_isbns, rng),))
    for _ in range(DICTIONARY_EDITIONS):
        groups.append((make_dictionary(authors, used_isbns, rng),))
    for _ in range(VIETNAMESE_SETS):
        groups.append(make_multivolume_set("vie", authors, used_isbns, rng))
    for _ in range(ENGLISH_SETS):
        groups.append(make_multivolume_set("eng", authors, used_isbns, rng))
    rng.shuffle(groups)
    return groups


# ---------------------------------------------------------------------------
# Who holds what
# ---------------------------------------------------------------------------


def holding_weight(practice: CataloguingPractice, edition: Edition) -> float:
    """How likely a library is to hold an edition: its size, languages and subjects."""
    language_weight = practice.language_weights.get(edition.language, 0.0)
    category_weight = practice.category_weights.get(
        edition.category, practice.other_category_weight
    )
    return practice.collection_weight * language_weight * category_weight


def choose_holders(edition: Edition, rng: random.Random) -> list[str]:
    """Choose which libraries hold an edition; classics are held widely."""
    if edition.is_classic:
        wanted = rng.randint(3, 6)
    else:
        wanted = rng.choices(range(1, 7), weights=HOLDER_COUNT_WEIGHTS)[0]
    candidates = [
        (library.code, holding_weight(PRACTICES[library.code], edition))
        for library in DEMO_LIBRARIES
    ]
    candidates = [(code, weight) for code, weight in candidates if weight > 0]
    holders: list[str] = []
    while candidates and len(holders) < wanted:
        index = rng.choices(range(len(candidates)), weights=[w for _, w in candidates])[0]
        holders.append(candidates.pop(index)[0])
    return holders


# ---------------------------------------------------------------------------
# One library's record for an edition
# ---------------------------------------------------------------------------


def vary_edition(edition: Edition, practice: CataloguingPractice, rng: random.Random) -> Edition:
    """Leave out what a hurried cataloguer leaves out: subtitle, authors, the ISBN."""
    subtitle, authors, isbn = edition.subtitle, edition.authors, edition.isbn
    if subtitle and rng.random() < practice.omission_share * 2:
        subtitle = None
    if authors and rng.random() < practice.omission_share:
        authors = ()
    if isbn and rng.random() < practice.omission_share / 2:
        isbn = None
    return dataclasses.replace(edition, subtitle=subtitle, authors=authors, isbn=isbn)


TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
_TONE_ON_FIRST_VOWEL = re.compile(f"([oOuU])([{TONE_MARKS}])([aAeEyY])(?!\\w)")


def move_tone_marks(text: str) -> str:
    """Write "hòa", "khỏe", "thúy" with the tone on the second vowel: "hoà", "khoẻ", "thuý".

    Both placements are in everyday use for the open syllables oa, oe and uy;
    libraries differ, so the same title is catalogued both ways.
    """
    decomposed = unicodedata.normalize("NFD", text)
    moved = _TONE_ON_FIRST_VOWEL.sub(r"\1\3\2", decomposed)
    return unicodedata.normalize("NFC", moved)


def vary_record(record: pymarc.Record, practice: CataloguingPractice, rng: random.Random) -> None:
    """Rewrite a record's text the library's way: tone placement, then maybe NFD.

    Older library software stores decomposed Unicode (NFD); it is still valid
    UTF-8 in ISO 2709, but compares unequal to NFC text byte for byte.
    """
    transforms = []
    if rng.random() < practice.modern_tone_share:
        transforms.append(move_tone_marks)
    if rng.random() < practice.decomposed_share:
        transforms.append(lambda text: unicodedata.normalize("NFD", text))
    if not transforms:
        return
    for field in record.fields:
        if field.is_control_field():
            continue
        subfields = []
        for subfield in field.subfields:
            value = subfield.value
            for transform in transforms:
                value = transform(value)
            subfields.append(Subfield(subfield.code, value))
        field.subfields = subfields


def nonfiling_characters(title: str, language: str) -> int:
    """Count the leading article a title files without (245 second indicator)."""
    articles = {
        "eng": ("The ", "An ", "A "),
        "fre": ("Les ", "Le ", "La ", "L'", "Une ", "Un "),
    }.get(language, ())
    for article in articles:
        if title.startswith(article):
            return len(article)
    return 0


def punctuate(parts: list[tuple[str, str]], loose: bool) -> list[Subfield]:
    """Add ISBD punctuation between subfields: " :" before $b, " /" before $c, "." after $a.

    With `loose`, the spaces before ":" and "/" and the closing full stop are
    left out, as in many small libraries' records.
    """
    before = {"b": " :", "c": " /", "n": ".", "p": ","}
    if loose:
        before = {"b": ":", "c": "/", "n": ".", "p": ","}
    subfields = []
    for index, (code, text) in enumerate(parts):
        if index + 1 < len(parts):
            next_code = parts[index + 1][0]
            text += before.get(next_code, "")
        elif not loose and not text.endswith((".", "?", "!")):
            text += "."
        subfields.append(Subfield(code, text))
    return subfields


def make_responsibility(edition: Edition) -> str | None:
    """Build the statement of responsibility (245$c) as the title page would word it."""
    names = [person.display_name for person in edition.authors]
    if not names:
        return None
    if edition.language == "vie":
        if edition.editor_led:
            names[0] += " (ch.b.)"
        return ", ".join(names)
    joiner = " et " if edition.language == "fre" else " and "
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + joiner + names[-1]
    if edition.editor_led:
        return ("sous la direction de " if edition.language == "fre" else "edited by ") + listed
    return listed


def make_title_field(
    edition: Edition, has_main_entry: bool, loose: bool, rng: random.Random
) -> Field:
    """Build 245: title, part, subtitle, responsibility, with indicators and punctuation."""
    parts: list[tuple[str, str]] = [("a", edition.title)]
    if edition.part_number:
        parts.append(("n", edition.part_number))
        if edition.part_name:
            parts.append(("p", edition.part_name))
    if edition.subtitle:
        if loose and rng.random() < 0.4:
            parts[0] = ("a", f"{edition.title}: {edition.subtitle}")
        else:
            parts.append(("b", edition.subtitle))
    responsibility = make_responsibility(edition)
    if responsibility:
        parts.append(("c", responsibility))
    indicators = Indicators(
        "1" if has_main_entry else "0",
        str(nonfiling_characters(edition.title, edition.language)),
    )
    return Field("245", indicators, punctuate(parts, loose))


def make_edition_statement(edition: Edition, practice: CataloguingPractice) -> str | None:
    """Word the reprint or edition (250$a) in the book's language."""
    if edition.reprint is None:
        return None
    if edition.language == "vie":
        return f"Tái bản lần thứ {edition.reprint}."
    number = edition.reprint + 1
    if edition.language == "fre":
        return f"{number}e éd."
    ordinals = ("Second", "Third", "Fourth", "Fifth", "Sixth")
    if practice.uses_rda:
        return f"{ordinals[number - 2]} edition."
    suffix = {2: "nd", 3: "rd"}.get(number, "th")
    return f"{number}{suffix} ed."


def make_publication_field(
    edition: Edition, practice: CataloguingPractice, loose: bool, rng: random.Random
) -> Field:
    """Build 264 _1 (RDA libraries) or 260 (the others): place, publisher, year."""
    place = edition.publisher.place
    publisher = edition.publisher.name
    if loose and edition.language == "vie":
        place = {"TP. Hồ Chí Minh": rng.choice(("Tp. Hồ Chí Minh", "Thành phố Hồ Chí Minh"))}.get(
            place, place
        )
        publisher = rng.choice(
            (
                publisher,
                publisher.replace("Nxb. ", "Nhà xuất bản "),
                publisher.removeprefix("Nxb. "),
            )
        )
    year = str(edition.year)
    if loose:
        subfields = [Subfield("a", place), Subfield("b", publisher), Subfield("c", year)]
    else:
        subfields = [
            Subfield("a", f"{place} :"),
            Subfield("b", f"{publisher},"),
            Subfield("c", f"{year}."),
        ]
    if practice.uses_rda:
        return Field("264", Indicators(" ", "1"), subfields)
    return Field("260", Indicators(" ", " "), subfields)


def make_extent_field(edition: Edition, practice: CataloguingPractice) -> Field:
    """Build 300: pages, illustrations and height, in the cataloguing's words."""
    if edition.language == "vie":
        pages, illustrations = f"{edition.pages} tr.", "minh họa"
    elif practice.uses_rda and edition.language == "eng":
        pages, illustrations = f"{edition.pages} pages", "illustrations"
    else:
        pages, illustrations = f"{edition.pages} p.", "ill."
    if edition.preliminary_pages:
        pages = f"{edition.preliminary_pages}, {pages}"
    height = f"{edition.height_cm} cm"
    if edition.illustrated:
        subfields = [Subfield("a", f"{pages} :"), Subfield("b", f"{illustrations} ;")]
    else:
        subfields = [Subfield("a", f"{pages} ;")]
    subfields.append(Subfield("c", height))
    return Field("300", Indicators(" ", " "), subfields)


def make_content_fields(edition: Edition, practice: CataloguingPractice) -> list[Field]:
    """Build the RDA content, media and carrier types (336, 337, 338)."""
    english = practice.english_headings and edition.language != "vie"
    terms = (
        (("text", "txt"), ("unmediated", "n"), ("volume", "nc"))
        if english
        else (("văn bản", "txt"), ("không qua thiết bị trung gian", "n"), ("tập", "nc"))
    )
    sources = ("rdacontent", "rdamedia", "rdacarrier")
    return [
        Field(
            tag,
            Indicators(" ", " "),
            [Subfield("a", term), Subfield("b", code), Subfield("2", source)],
        )
        for tag, (term, code), source in zip(("336", "337", "338"), terms, sources, strict=True)
    ]


def make_subject_fields(edition: Edition, practice: CataloguingPractice) -> list[Field]:
    """Build 650/651 subject access, Vietnamese keywords or English headings.

    Vietnamese libraries take keywords from the National Library's list
    ("Bộ TK TVQG", 650 _7 with $2) or leave them uncontrolled (650 _4);
    a library that catalogues foreign books in English uses LCSH-style
    headings (650 _0), with 651 for places.
    """
    if practice.english_headings and edition.language != "vie":
        fields = []
        for heading in edition.subjects_en:
            first, *rest = heading.split("--")
            subfields = [Subfield("a", first)] + [
                Subfield("z" if _is_place(part) else "x", part) for part in rest
            ]
            tag = "651" if _is_place(first) else "650"
            fields.append(Field(tag, Indicators(" ", "0"), subfields))
        return fields
    headings = list(edition.subjects_vi)
    fields = []
    for heading in headings:
        if practice.subject_thesaurus:
            subfields = [Subfield("a", heading), Subfield("2", practice.subject_thesaurus)]
            fields.append(Field("650", Indicators(" ", "7"), subfields))
        else:
            fields.append(Field("650", Indicators(" ", "4"), [Subfield("a", heading)]))
    if edition.country_subject:
        if practice.subject_thesaurus:
            fields.append(
                Field(
                    "651",
                    Indicators(" ", "7"),
                    [Subfield("a", "Việt Nam"), Subfield("2", practice.subject_thesaurus)],
                )
            )
        else:
            fields.append(Field("651", Indicators(" ", "4"), [Subfield("a", "Việt Nam")]))
    return fields


def _is_place(heading_part: str) -> bool:
    return heading_part.startswith(("Vietnam", "Hanoi", "Mekong"))


def fold_to_ascii(text: str) -> str:
    """Strip Vietnamese diacritics: "Nguyễn Đức" becomes "Nguyen Duc"."""
    text = text.replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def make_author_mark(edition: Edition) -> str:
    """Build a Cutter-like author mark: "NG527T" for Nguyễn Du, Truyện Kiều.

    Initial letters of the heading word, three digits from the rest of it,
    then the first letter of the title. Deterministic, like a Cutter table.
    """
    entry_word = edition.authors[0].family if edition.authors else edition.title.split()[0]
    letters = fold_to_ascii(entry_word).upper().replace("'", "")
    initial_length = 2 if letters[:2] in ("NG", "TR", "PH", "TH", "CH", "NH", "KH", "GI") else 1
    initial, rest = letters[:initial_length], letters[initial_length:] or "A"
    digits = 100 + sum(ord(char) * (index + 7) for index, char in enumerate(rest)) % 900
    title_letter = fold_to_ascii(edition.title).upper()[:1]
    return f"{initial}{digits}{title_letter}"


def shorten_ddc(ddc: str, max_decimals: int) -> str:
    """Cut a DDC number to `max_decimals` places, as small libraries using the abridged DDC do."""
    whole, _, decimals = ddc.partition(".")
    decimals = decimals[:max_decimals]
    return f"{whole}.{decimals}" if decimals else whole


@dataclass
class LibraryCounters:
    """The next local record number and item barcode number in one library."""

    local_id: int
    barcode: int


def make_dates(edition: Edition, rng: random.Random) -> tuple[datetime.date, str]:
    """Draw the date a record was entered (008/00-05) and last changed (005).

    Records for books older than the library's automation were keyed in
    retrospectively, from 1998 on.
    """
    entered_year = min(max(edition.year, 1998) + rng.randint(0, 2), LAST_YEAR)
    entered = datetime.date(entered_year, 1, 1) + datetime.timedelta(days=rng.randint(0, 364))
    days_left = (datetime.date(LAST_YEAR, 12, 31) - entered).days
    changed = entered + datetime.timedelta(days=rng.randint(0, days_left))
    time_of_day = f"{rng.randint(7, 17):02d}{rng.randint(0, 59):02d}{rng.randint(0, 59):02d}"
    return entered, f"{changed:%Y%m%d}{time_of_day}.0"


def make_fixed_field(edition: Edition, entered: datetime.date, national: bool) -> str:
    """Build 008 for books (MARC 21 Bibliographic, 008 All Materials and BK)."""
    value = (
        f"{entered:%y%m%d}"  # 00-05 date entered
        f"s{edition.year:04d}    "  # 06-14 single date
        f"{edition.publisher.country}"  # 15-17 place
        f"{'a   ' if edition.illustrated else '    '}"  # 18-21 illustrations
        f"{edition.audience} "  # 22-23 audience, form
        f"{'b   ' if edition.bibliography_pages else '    '}"  # 24-27 contents
        f" 00{'1' if edition.has_index else '0'} "  # 28-32
        f"{edition.literary_form}{edition.biography}"  # 33-34
        f"{edition.language} "  # 35-38 language, modified
        f"{' ' if national else 'd'}"  # 39 cataloguing source
    )
    if len(value) != 40:
        raise ValueError(f"008 must be 40 characters, built {len(value)}: {value!r}")
    return value


def make_isbn_field(
    edition: Edition, practice: CataloguingPractice, rng: random.Random
) -> Field | None:
    """Build 020: the ISBN in the library's favoured form, maybe a qualifier and a price."""
    if edition.isbn is None:
        return None
    value = format_isbn(edition.isbn, rng.choice(practice.isbn_forms))
    subfields = []
    if edition.binding and rng.random() < 0.6:
        if practice.uses_rda:
            subfields = [Subfield("a", value), Subfield("q", edition.binding)]
        else:
            subfields = [Subfield("a", f"{value} ({edition.binding})")]
    else:
        subfields = [Subfield("a", value)]
    if edition.price_vnd and rng.random() < 0.6:
        subfields.append(Subfield("c", f"{edition.price_vnd}đ"))
    return Field("020", Indicators(" ", " "), subfields)


def make_person_fields(edition: Edition, practice: CataloguingPractice) -> list[Field]:
    """Build 100 for the first author and 700 for the others (or all, for edited works)."""
    fields = []
    for position, person in enumerate(edition.authors):
        first_indicator, name = person.heading(practice.inverts_vietnamese_names)
        subfields = [Subfield("a", f"{name}," if person.dates else name)]
        if person.dates:
            subfields.append(Subfield("d", person.dates))
        main_entry = position == 0 and not edition.editor_led
        if edition.editor_led and position == 0:
            subfields[-1] = Subfield(subfields[-1].code, subfields[-1].value + ",")
            role = {"vie": "chủ biên", "eng": "editor", "fre": "directeur de publication"}
            subfields.append(Subfield("e", role[edition.language]))
        fields.append(
            Field("100" if main_entry else "700", Indicators(first_indicator, " "), subfields)
        )
    return fields


def make_record(
    edition: Edition,
    library: LibraryInfo,
    practice: CataloguingPractice,
    counters: LibraryCounters,
    rng: random.Random,
) -> pymarc.Record:
    """Describe one edition as `library` catalogues it, with its holdings in 852."""
    edition = vary_edition(edition, practice, rng)
    loose = rng.random() < practice.loose_punctuation_share
    entered, changed = make_dates(edition, rng)
    counters.local_id += rng.randint(1, 3)
    fields = [
        Field("001", data=practice.local_id_format.format(number=counters.local_id)),
        Field("003", data=library.code),
        Field("005", data=changed),
        Field("008", data=make_fixed_field(edition, entered, library.type == "national")),
    ]
    isbn_field = make_isbn_field(edition, practice, rng)
    if isbn_field:
        fields.append(isbn_field)
    cataloguing_source = [
        Subfield("a", library.code),
        Subfield("b", "vie"),
        Subfield("c", library.code),
    ]
    if practice.uses_rda:
        cataloguing_source.append(Subfield("e", "rda"))
    fields.append(Field("040", Indicators(" ", " "), cataloguing_source))
    if library.type == "national" or edition.other_languages:
        languages = (edition.language, *edition.other_languages)
        fields.append(
            Field("041", Indicators("0", " "), [Subfield("a", language) for language in languages])
        )
    ddc = shorten_ddc(edition.ddc, practice.ddc_max_decimals)
    fields.append(
        Field(
            "082", Indicators("0", "4"), [Subfield("a", ddc), Subfield("2", practice.ddc_edition)]
        )
    )
    person_fields = make_person_fields(edition, practice)
    main_entries = [field for field in person_fields if field.tag == "100"]
    fields.extend(main_entries)
    fields.append(make_title_field(edition, bool(main_entries), loose, rng))
    statement = make_edition_statement(edition, practice)
    if statement:
        fields.append(Field("250", Indicators(" ", " "), [Subfield("a", statement)]))
    fields.append(make_publication_field(edition, practice, loose, rng))
    fields.append(make_extent_field(edition, practice))
    if practice.uses_rda:
        fields.extend(make_content_fields(edition, practice))
    fields.extend(make_series_fields(edition, practice))
    if edition.bibliography_pages:
        fields.append(
            Field(
                "504",
                Indicators(" ", " "),
                [Subfield("a", make_bibliography_note(edition, practice))],
            )
        )
    fields.extend(make_subject_fields(edition, practice))
    fields.extend(field for field in person_fields if field.tag == "700")
    fields.append(make_holdings_field(edition, library, practice, counters, ddc, rng))
    fields.sort(key=lambda field: field.tag)  # 830 belongs after the 7XX
    descriptive_form = "i" if practice.uses_rda else "a"
    record = pymarc.Record(leader=f"00000nam a2200000 {descriptive_form} 4500", fields=fields)
    vary_record(record, practice, rng)
    return record


def make_series_fields(edition: Edition, practice: CataloguingPractice) -> list[Field]:
    """Build the series statement (490) and, in RDA libraries, its traced form (830)."""
    if edition.series is None:
        return []
    name, number = edition.series
    if not practice.uses_rda:
        return [
            Field(
                "490",
                Indicators("0", " "),
                [Subfield("a", f"{name} ;"), Subfield("v", str(number))],
            )
        ]
    return [
        Field(
            "490", Indicators("1", " "), [Subfield("a", f"{name} ;"), Subfield("v", str(number))]
        ),
        Field(
            "830", Indicators(" ", "0"), [Subfield("a", f"{name} ;"), Subfield("v", f"{number}.")]
        ),
    ]


def make_bibliography_note(edition: Edition, practice: CataloguingPractice) -> str:
    """Word the bibliography note (504) in the book's language."""
    if edition.bibliography_pages is None:
        raise ValueError("edition has no bibliography")
    first, last = edition.bibliography_pages
    if edition.language == "vie":
        return f"Thư mục: tr. {first}-{last}"
    if edition.language == "fre":
        return f"Bibliogr. p. {first}-{last}"
    pages = "pages" if practice.uses_rda else "p."
    index = " and index" if edition.has_index else ""
    return f"Includes bibliographical references ({pages} {first}-{last}){index}."


def make_holdings_field(
    edition: Edition,
    library: LibraryInfo,
    practice: CataloguingPractice,
    counters: LibraryCounters,
    ddc: str,
    rng: random.Random,
) -> Field:
    """Build 852: library, shelving location, call number and one barcode per copy."""
    if edition.language == "vie":
        location = rng.choice(practice.locations)
    else:
        location = practice.foreign_location
    call_number = f"{ddc} {make_author_mark(edition)}"
    subfields = [Subfield("a", library.code), Subfield("b", location), Subfield("h", call_number)]
    copies = rng.choices(range(1, 6), weights=practice.copy_weights)[0]
    for _ in range(copies):
        counters.barcode += 1
        subfields.append(Subfield("p", practice.barcode_format.format(number=counters.barcode)))
    return Field("852", Indicators(" ", " "), subfields)


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def generate_demo_records(seed: int = 2026) -> dict[str, list[pymarc.Record]]:
    """Generate every demo library's MARC 21 bibliographic records.

    Returns a mapping from library code (`VN-NLV`, …) to that library's
    records in local-id order. The same seed always gives the same records;
    no global random state is touched.
    """
    rng = random.Random(seed)
    records: dict[str, list[pymarc.Record]] = {library.code: [] for library in DEMO_LIBRARIES}
    counters = {
        library.code: LibraryCounters(
            local_id=PRACTICES[library.code].first_local_id, barcode=rng.randint(1000, 9000)
        )
        for library in DEMO_LIBRARIES
    }
    libraries = {library.code: library for library in DEMO_LIBRARIES}
    for group in make_editions(rng):
        holders = choose_holders(group[0], rng)
        for edition in group:
            for code in holders:
                if len(group) > 1 and len(holders) > 1 and rng.random() < 0.08:
                    continue  # this library never got this volume of the set
                record = make_record(edition, libraries[code], PRACTICES[code], counters[code], rng)
                records[code].append(record)
    return records


def write_demo_files(directory: Path, seed: int = 2026) -> dict[str, Path]:
    """Write one ISO 2709 file per demo library, `<code>.mrc`, into `directory`.

    Returns the path written for each library code. Files are UTF-8 MARC 21
    (leader/09 = 'a') and byte-identical for the same seed.
    """
    directory.mkdir(parents=True, exist_ok=True)
    paths = {}
    for code, records in generate_demo_records(seed).items():
        path = directory / f"{code}.mrc"
        path.write_bytes(b"".join(record.as_marc() for record in records))
        paths[code] = path
    return paths
