from __future__ import annotations

import pytest

from conftest import SEEDS, seed
from dangjian_cli.corpus import load_documents
from dangjian_cli.errors import InputError
from dangjian_cli.lexicon import load_lexicon
from dangjian_cli.pipeline import Analyzer
from dangjian_cli.tokenize import Tokenizer, TokenizerConfig


@pytest.fixture(scope="module")
def tok():
    return Tokenizer()


@pytest.fixture(scope="module")
def seeds():
    return load_documents([str(SEEDS)])


def test_vanilla_jieba_cuts_slogans_apart_and_we_do_not(tok):
    import jieba

    text = "推进“两学一做”学习教育常态化制度化，守初心、担使命，找差距、抓落实。"
    assert "两学一做" not in jieba.lcut(text)  # the problem this project exists for
    words = tok.words(text)
    assert "两学一做" in words
    assert "守初心、担使命，找差距、抓落实" in words


def test_no_lexicon_entry_is_ever_split(tok, seeds):
    lexicon = tok.lexicon
    checked = 0
    for d in seeds:
        bounds = set(tok.segment(d.text))
        for start, end, key in lexicon.spans(d.text):
            assert start in bounds and end in bounds
            assert not any(start < b < end for b in bounds), (d.id, key)
            checked += 1
    assert checked > 50


def test_variants_map_to_the_canonical_form(tok):
    assert tok.words("不忘初心牢记使命")[0] == "不忘初心、牢记使命"
    assert tok.words("不忘初心，牢记使命")[0] == "不忘初心、牢记使命"
    assert tok.words("堅持不忘初心、牢記使命")[-1] == "不忘初心、牢记使命"  # traditional form in the lexicon
    toks = tok.tokenize("学史明理、学史增信、学史崇德、学史力行")
    assert [(t.text, t.start, t.end, t.kind) for t in toks] == [("学史明理、学史增信、学史崇德、学史力行", 0, 19, "lexicon")]


def test_traditional_seed_gives_the_same_tokens_as_its_simplified_form(tmp_path, tok):
    from dangjian_cli.normalize import to_simplified

    simplified = tmp_path / "s.txt"
    simplified.write_text(to_simplified(seed(3).read_text(encoding="utf-8")), encoding="utf-8")
    (trad,) = load_documents([str(seed(3))])
    (simp,) = load_documents([str(simplified)])
    assert trad.text == simp.text
    assert tok.words(trad.text) == tok.words(simp.text)
    assert tok.words(trad.text).count("两学一做") == 18


def test_filters(tok):
    words = tok.words("截至目前，全县共修补破损路面180处4.5万平方米，开展了学习教育。第三季度十九届")
    assert not any(ch.isdigit() for w in words for ch in w)
    assert "开展" not in words and "了" not in words and "，" not in words
    assert all(len(w) > 1 for w in words)
    assert "修补" in words and "路面" in words
    keep = Tokenizer(TokenizerConfig(keep_numbers=True)).words("修补破损路面180处")
    assert "180" in keep


def test_ordinals_and_counts_are_numbers_but_congresses_and_plans_are_words(tok):
    # Before 2026.11.1: 第二批, 第十九届, 五位 reached the keywords (2.1 % of the top 10 of dev items), and 十九大 was
    # cut into 十九 + 大 with 十九 then dropped as a number.
    words = tok.words("党的十九大以来，第二批主题教育、第十九届中央委员会，五位同志、两项制度，“十四五”规划和十三五时期，"
                      "驻村第一书记。《习近平谈治国理政》第二卷一书，三论新发展理念，一万多名党员，建党一周年")
    assert not {"第二批", "第十九届", "五位", "两项", "十九", "十四", "十三", "第二卷", "一书", "三论", "一万多名",
                "万多名", "一周年"} & set(words)
    assert {"十九大", "十四五", "十三五", "主题教育", "第一书记", "规划"} <= set(words)
    assert tok.words("党的十八大") == ["十八大"]  # the variant 党的十八大 gives the canonical form
    # Domain words the segmenter cut after a count (31所中管高校 gave 所中管) or inside a body's name.
    assert tok.words("31所中管高校和12名中管干部，中央军委政治工作部，粤港澳大湾区") == [
        "中管高校", "中管干部", "中央军委", "政治工作部", "粤港澳大湾区"]


def test_set_phrases_stay_whole_and_date_tails_are_not_words(tok):
    # Before domain dictionary 2026.11.2 these were cut (走深 + 走实, 以学 + 促干, 做 + 实党 + 的, 党立党 + 兴党 + 强党,
    # 以上 + 率下, 风清气 + 正), and the pieces reached the keywords of dev items; 日到 and 日起 (stop list 2026.11.3)
    # are what the segmenter leaves of 22日到 and 1月1日起.
    words = tok.words("推动主题教育走深走实，以学促干，紧紧围绕学懂弄通做实党的创新理论，这是我们党立党兴党强党的根本，"
                      "领导干部以上率下，营造风清气正的政治生态。习近平22日到空军某部，条例自2025年1月1日起施行")
    assert {"走深走实", "以学促干", "学懂弄通做实", "立党兴党强党", "以上率下", "风清气正"} <= set(words)
    assert not {"走深", "走实", "以学", "促干", "实党", "党立党", "率下", "风清气", "日到", "日起"} & set(words)



def test_names_the_news_repeats_stay_whole(tok):
    # Before domain dictionary 2026.11.4 the segmenter gave 栗 + 战书, 丁 + 薛祥, 张 + 又 + 侠, 韩 + 正说, 陈希同 + 志,
    # 张富 + 清, and 战书, 薛祥, 保国 reached the keywords of dev items.
    words = tok.words("栗战书、丁薛祥、张又侠出席。韩正说，陈希同志主持座谈会，追授李保国同志称号，老英雄张富清深藏功名")
    assert {"栗战书", "丁薛祥", "张又侠", "韩正", "陈希", "李保国", "张富清"} <= set(words)
    assert not {"战书", "薛祥", "正说", "陈希同", "保国", "张富"} & set(words)
    # Kept whole at a frequency that leaves other cuts alone.
    assert tok.words("不忘立德树人初心，中泰两国建交") == ["立德", "树人", "初心", "中泰", "建交"]
    assert tok.cut("中泰两国建交") == ["中泰", "两国", "建交"]  # 两国 is a stop word (a number with a measure word)

def test_names_and_words_of_dictionary_2026_11_5_stay_whole(tok):
    # Before 2026.11.5: 韩长 + 赋, 曲 + 青山, 蔡名 + 照说, 赵克 + 志在; 新冠 + 肺炎; 党 + 旗下; 最 + 美女 + 教师.
    words = tok.words("部长韩长赋同志说，主任曲青山指出，蔡名照说，主任赵克志在会上讲话。抗击新冠肺炎疫情，"
                      "党员汇聚到党旗下，最美女教师入党，不能走脱实向虚的路子")
    assert {"韩长赋", "曲青山", "蔡名照", "赵克志", "新冠肺炎", "党旗", "女教师", "脱实向虚"} <= set(words)
    assert not {"韩长", "青山", "照说", "志在", "肺炎", "旗下", "美女", "走脱", "实向"} & set(words)



def test_names_and_words_of_dictionary_2026_11_6_stay_whole(tok):
    # Before 2026.11.6: 主/任何/立峰, 魏凤 + 和, 刘结 + 一, 欧尔 + 班, 图斯 + 克, 村党 + 支部书记.
    words = tok.words("国家发展改革委主任何立峰出席，军委委员魏凤和、台办主任刘结一讲话。匈牙利总理欧尔班、波兰总理图斯克"
                      "会见记者。他是村党支部书记")
    assert {"何立峰", "魏凤和", "刘结一", "欧尔班", "图斯克", "党支部书记"} <= set(words)
    assert not {"任何", "立峰", "魏凤", "刘结", "欧尔", "图斯", "村党", "支部书记"} & set(words)


def test_names_quoted_twice_in_a_document_stay_whole_wherever_they_recur(tok):
    # Tokenizer 7: before it, 村村擂台赛 (seed 002) gave 村村 + 擂台赛, 半条被子 gave 半条 + 被子, and 回头看 left 回头
    # in the keywords of 12 dev items.
    text = "全镇开展“村村擂台赛”比学活动。第三季度“村村擂台赛”圆满结束，村村擂台赛还将继续。讲好“半条被子”的故事"
    assert tok.words(text) == ["全镇", "村村擂台赛", "比学", "村村擂台赛", "圆满结束", "村村擂台赛", "讲好", "半条", "被子",
                               "故事"]
    # Quoted once: as often a word someone said, so cut as before, unless it is a numeric formula (“五看五查”).
    assert tok.words("他说“村村擂台赛”很好，推行“五看五查”，五看五查见实效") == [
        "村村", "擂台赛", "推行", "五看五查", "五看五查", "实效"]
    # A quoted name holding a slogan leaves the slogan a token of its own; more than 8 characters is not a name.
    assert tok.words("举办“两学一做大讲堂”。“两学一做大讲堂”开讲") == ["两学一做", "大讲堂", "两学一做", "大讲堂", "开讲"]
    assert "村村擂台赛比学活动" not in tok.words("“村村擂台赛比学活动”和“村村擂台赛比学活动”")


def test_approximate_counts_are_numbers(tok):
    # 万只 and 近万名 reached the tokens before 2026.11.4: a numeral with a measure word or an approximate prefix.
    assert tok.words("40万只羊、3万头牛，近万名志愿者、上万群众，数百名党员") == ["志愿者", "群众", "党员"]


def test_counts_with_a_unit_of_measure_are_numbers(tok):
    # Tokenizer 9: before it, 万例 (of 3.5万例, whose digits the segmenter cuts off) stood in the top-10 keywords of 118
    # bench items, 亿人次 in 58, 亿美元 in 42, 一架 in 25. Words that begin with a numeral and are not counts stay.
    assert tok.words("新增确诊病例3.5万例，接待游客1.2亿人次，投资20亿美元，出动四架战斗机，近八成群众，第一阶段") == [
        "新增", "确诊", "病例", "接待", "游客", "投资", "出动", "战斗机", "群众"]
    assert tok.words("一流的一体化，三峡和四川的百姓，第一书记一以贯之") == ["一流", "一体化", "三峡", "四川", "百姓", "第一书记",
                                                                  "一以贯之"]
    # 二十国集团 (G20) in the domain dictionary: jieba alone cuts it into 二 + 十国集团 (G10).
    assert tok.words("二十国集团领导人峰会") == ["二十国集团", "领导人", "峰会"]
    # Tokenizer 10: reduplicated counts (一场场 stood in the top 10 of 7 bench and dev items, 一次次, 一件件 and 一代代 in
    # 3 each); --keep-numbers keeps them. 一一对应 is a word.
    assert tok.words("一场场比赛，一次次尝试，一件件文物，一代代人，一一对应") == ["比赛", "尝试", "文物", "一一对应"]
    assert Tokenizer(TokenizerConfig(keep_numbers=True)).words("一场场比赛") == ["一场场", "比赛"]


def test_four_character_formulae_stay_whole_and_demonstratives_are_not_words(tok):
    # Dictionary 2026.11.9: before it, 久久为功 kept only 久久, 抓铁有痕 became 抓铁有 + 痕, 千万工程 lost 千万 (a number),
    # 聚同化异 kept only 同化, and the parts of 四个自信 standing alone were cut (理论 + 自信).
    assert tok.words("锲而不舍、久久为功，以踏石留印、抓铁有痕的劲头抓下去") == [
        "锲而不舍", "久久为功", "踏石留印", "抓铁有痕", "劲头", "抓下去"]
    assert tok.words("深化千万工程，坚持聚同化异，增强理论自信、看齐意识，推进文化自信自强") == [
        "千万工程", "聚同化异", "增强", "理论自信", "看齐意识", "文化自信自强"]
    # Function stop list 2026.11.6: a demonstrative, 每 or 各 with a measure word points at a topic and is not one
    # (本届 stood in 33 bench items' top 10, 这家 in 16, 该书 in 10; 各村 was the third keyword of seed 002).
    assert tok.words("这家企业每天都为本届博览会供货，该书出版后，各村都组织了学习") == ["企业", "博览会", "供货", "出版"]
    # Stop list 2026.11.7: guesses ending in 称, 同, 由 or 等 (日称 of 23日称 stood in 63 bench items' top 10, 例由 in 28);
    # dictionary 2026.11.10: 国家发展改革委 was 国家 + 发展 + 改革 + 委, and 高市早苗 was 高市 + 早苗称.
    assert tok.words("政府方面23日称，其中3例由无症状感染者转为确诊，习近平8日晚同俄罗斯总统普京通电话") == [
        "政府", "无症状", "感染者", "转为", "确诊", "习近平", "俄罗斯", "总统", "普京", "通电话"]
    assert tok.words("国家发展改革委等8个单位，日本首相高市早苗称") == ["国家发展改革委", "日本首相", "高市早苗"]
    # Stop list 2026.11.8 and dictionary 2026.11.11, from the guesses among bench's top-10 keywords: 比上 (比上年) and
    # 个州 first, 中说 and 天无 last, 年来 and 日以 cut off their numbers; 比港 and 巴以 stay (以 is not a last character).
    assert tok.words("他在贺函中说，产值比上年增长，美国33个州连续14天无新增病例，十年来，7月1日以来") == [
        "贺函", "产值", "上年", "增长", "美国", "连续", "新增", "病例"]
    assert tok.words("专精特新“小巨人”企业，日本核污染水排海，比港项目，巴以冲突") == [
        "专精特新", "小巨人", "企业", "日本", "核污染水", "排海", "比港", "项目", "巴以", "冲突"]


def test_function_characters_glued_to_a_neighbour_by_the_guesser_are_not_tokens(tok, tmp_path):
    # Tokenizer 8: before it, 从代 (从代中央管理党费) stood in the top-10 keywords of 24 dev items and 分在 (28分在) of 26.
    assert tok.words("中央组织部从代中央管理党费中划拨专项资金") == ["中央组织部", "中央", "管理", "党费", "划拨", "专项资金"]
    assert tok.words("他于2018年2月24日17时28分在北京逝世。这一年变化更大") == ["北京", "逝世", "变化"]
    # Dictionary words are never dropped this way (求是 and 上合 in the domain dictionary), nor guesses led by the
    # characters the stop list leaves out on purpose (于 of the surname, 对 before a country's one-character name).
    assert tok.words("《求是》杂志刊文，于敏获得勋章，做好对台工作，同上合组织国家合作") == [
        "求是", "杂志", "刊文", "于敏", "勋章", "对台", "上合", "国家", "合作"]
    # A --user-dict word is a dictionary word; a --stopwords file may add characters, and names a bad directive.
    user_dict = tmp_path / "words.txt"
    user_dict.write_text("从代 2000 n\n", encoding="utf-8")
    assert "从代" in Tokenizer(TokenizerConfig(user_dict_files=(str(user_dict),))).words("从代中央管理党费中划拨")
    stop = tmp_path / "stop.txt"
    stop.write_text("@glued-last 成\n", encoding="utf-8")
    assert tok.words("乐成街道") == ["乐成", "街道"]
    assert Tokenizer(TokenizerConfig(stopword_files=(str(stop),))).words("乐成街道") == ["街道"]
    stop.write_text("@glue-last 成\n", encoding="utf-8")
    with pytest.raises(InputError, match="stop-word line 1: unknown directive '@glue-last'"):
        Tokenizer(TokenizerConfig(stopword_files=(str(stop),)))
    stop.write_text("从严\n@glued-first\n从以\n", encoding="utf-8")
    with pytest.raises(InputError, match="stop-word line 2: @glued-first lists no characters"):
        Tokenizer(TokenizerConfig(stopword_files=(str(stop),)))
    # A comment that lost its "# " (as one did in the shipped list of 2026.11.4) would have added letters and commas.
    stop.write_text("# Glued characters: on the\n@glued-first line, or the last\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 2: @glued-first lists what is not a Chinese character: 'line,o"):
        Tokenizer(TokenizerConfig(stopword_files=(str(stop),)))


def test_counted_places_words_of_time_and_verbs_glued_to_zhi_or_qi_are_not_tokens(tok):
    # Stop list 2026.11.9: among the top-10 keywords of bench stood 多地 (75 lists), 两国 (52), 三国 (34), 今年以来 (29),
    # 所谓 (29), 今天下午 (16), 降至 (10, a guess of 降 + 至) and 今起 (9, 今 + 起).
    assert tok.words("中俄两国元首会晤，京津冀三地协同，多地出现降雨") == ["元首", "会晤", "京津冀", "协同", "出现", "降雨"]
    assert tok.words("今天下午，今年以来抗菌药物使用率降至41.3%，《人民日报》今起增设评论版") == [
        "抗菌", "药物", "使用率", "人民日报", "增设", "评论"]
    # Names made of a number stay (二十国集团, 一国两制, 两会), and so do the dictionary's words ending in 至 or 起.
    assert tok.words("二十国集团峰会，坚持一国两制，全国两会，直至夏至，引起关注") == [
        "二十国集团", "峰会", "一国两制", "全国", "两会", "直至", "夏至", "引起", "关注"]


def test_formulations_of_central_documents_stay_whole_and_headlines_may_space_their_clauses(tok):
    # Before lexicon 2026.11.2 the segmenter cut 中国特色社会主义 into 中国 + 特色 + 社会主义, 高质量发展 into 高质量 (a stop
    # word) + 发展, 一带一路 into 一带 + 一路; headlines write a slogan's clauses with spaces, and 建新 and 党性 of
    # 【学思想 强党性 重实践 建新功】 reached the keywords of the items under that column.
    words = tok.words("坚持和发展中国特色社会主义，推动高质量发展，构建新发展格局，共建一带一路")
    assert {"中国特色社会主义", "高质量发展", "新发展格局", "一带一路"} <= set(words)
    assert not {"中国", "特色", "社会主义", "高质量", "一带", "一路"} & set(words)
    assert tok.words("【学思想 强党性 重实践 建新功】农业农村部") == ["学思想、强党性、重实践、建新功", "农业", "农村部"]
    assert tok.words("不忘初心 牢记使命") == ["不忘初心、牢记使命"]
    # Lexicon 2026.11.3: quoted formulations the segmenter cut (枫桥 + 经验, 急难 + 愁 + 盼, 七一 + 勋章).
    assert tok.words("坚持新时代“枫桥经验”，解决群众急难愁盼问题，七一勋章获得者，外防输入、内防反弹") == [
        "枫桥经验", "解决", "群众", "急难愁盼", "问题", "七一勋章", "获得者", "外防输入、内防反弹"]
    # Bare 三个代表 and 四史 are not entries: they stand inside 三个代表团 and 二十四史.
    assert tok.words("三个代表团读二十四史，践行“三个代表”重要思想") == ["代表团", "二十四史", "践行", "三个代表重要思想"]

def test_user_files(tmp_path):
    lex = tmp_path / "lex.tsv"
    lex.write_text("# version: test-1\n五水共治\tslogan\t-\t2013\t治污水、防洪水、排涝水、保供水、抓节水\t浙江\n",
                   encoding="utf-8")
    stop = tmp_path / "stop.txt"
    stop.write_text("党员干部\n", encoding="utf-8")
    t = Tokenizer(TokenizerConfig(lexicon_files=(str(lex),), stopword_files=(str(stop),)))
    words = t.words("党员干部推进五水共治，治污水、防洪水、排涝水、保供水、抓节水")
    assert words == ["五水共治", "五水共治"]
    assert t.provenance()["lex.tsv (%s)" % lex] == "test-1"
    only = Tokenizer(TokenizerConfig(lexicon_files=(str(lex),), use_default_lexicon=False))
    assert "两学一做" not in only.words("两学一做")
    assert t.segmentation_key != Tokenizer().segmentation_key


def test_engines_agree_on_the_seeds(seeds):
    r = Tokenizer(TokenizerConfig(engine="rjieba"))
    j = Tokenizer(TokenizerConfig(engine="jieba"))
    same = total = 0
    for d in seeds:
        a, b = set(r.segment(d.text)), set(j.segment(d.text))
        same += len(a & b)
        total += len(a | b)
    assert same / total > 0.995


def test_analyzer_cache_gives_the_same_tokens(tmp_path, seeds):
    from dangjian_cli.cache import TokenCache

    cache = TokenCache(tmp_path / "c.sqlite3")
    an = Analyzer(Tokenizer(), cache)
    first = [an.words(d) for d in seeds]
    an.flush()
    assert cache.misses == len(seeds) and cache.hits == 0
    second = [an.words(d) for d in seeds]
    assert second == first and cache.hits == len(seeds)
    an.close()


def test_lexicon_is_versioned_and_complete():
    lex = load_lexicon()
    assert lex.files[0].version != "unversioned" and lex.files[0].source
    keys = {e.key for e in lex.entries}
    for required in ("两学一做", "三严三实", "不忘初心、牢记使命", "党史学习教育", "党纪学习教育", "四个意识", "四个自信",
                     "两个维护", "两个确立", "四个全面", "五位一体", "三会一课", "四风", "八项规定", "全面从严治党",
                     "学习贯彻习近平新时代中国特色社会主义思想主题教育", "深入贯彻中央八项规定精神学习教育",
                     "党的群众路线教育实践活动", "四讲四有", "守初心、担使命，找差距、抓落实", "学史明理、学史增信、学史崇德、学史力行",
                     "我为群众办实事", "两学一做"):
        assert required in keys, required


@pytest.mark.parametrize("first", ["dangjian", "rjieba"])
def test_the_engine_is_rjiebas_class_whichever_is_imported_first(first):
    """The rjieba engine is loaded without the package's default instance; ``import rjieba`` before or after it
    still works in the same process and gives the same class."""
    import subprocess
    import sys

    code = ("import sys\n"
            + ("import rjieba\n" if first == "rjieba" else "")
            + "from dangjian_cli.tokenize import Tokenizer\n"
            "t = Tokenizer()\n"
            "pieces = t.cut('两学一做学习教育常态化制度化')\n"
            "import rjieba\n"
            "assert type(t.engine) is rjieba.Jieba, type(t.engine)\n"
            "assert rjieba.cut('学习教育') == ['学习', '教育']\n"
            "print('|'.join(pieces))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "两学一做|学习教育|常态化|制度化"


def test_user_dictionary_lines_in_jieba_format_are_used_and_others_named(tmp_path):
    words = tmp_path / "words.txt"
    words.write_text("张轩庄 2000 nr\nC++语言\n五星支部 n\n浦江经验 3000\n", encoding="utf-8")
    tokenizer = Tokenizer(TokenizerConfig(user_dict_files=(str(words),)))
    assert tokenizer.cut("张轩庄用C++语言创建五星支部") == ["张轩庄", "用", "C++语言", "创建", "五星支部"]
    assert tokenizer.dictionary_tags["张轩庄"] == "nr" and "浦江经验" not in tokenizer.dictionary_tags
    for line, said in [("张轩庄 两千", "'两千' is neither a frequency nor a part-of-speech tag"),
                       ("张轩庄 2000 nr 人名", "'张轩庄 2000 nr 人名' is not word, frequency and tag"),
                       ("张轩庄·王 nr", "'张轩庄·王' holds '·', at which the segmenter always cuts")]:
        words.write_text(f"C++语言\n{line}\n", encoding="utf-8")
        with pytest.raises(InputError) as caught:
            Tokenizer(TokenizerConfig(user_dict_files=(str(words),)))
        assert caught.value.message == f"{words}: dictionary line 2: {said}"
