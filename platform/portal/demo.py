"""Demo news, announcements and FAQ in Chinese and English (idempotent)."""

from datetime import timedelta

from django.utils import timezone

from portal.models import ArticlePage, FaqCategory, FaqIndexPage, FaqPage, NewsIndexPage

NEWS = [
    (
        "后勤保障处完成夏季空调集中检修",
        "Summer air-conditioning overhaul completed",
        "对全院 312 台空调完成清洗与检修，门诊楼冷量恢复设计值。",
        "All 312 air-conditioning units were cleaned and serviced; the outpatient building is back to design cooling.",
    ),
    (
        "一站式服务大厅启用",
        "One-stop service hall opens",
        "报修、物品领用、会议室预约可在服务大厅统一办理，也可在门户在线提交。",
        "Repairs, supplies and room bookings are handled at one desk, or online in this portal.",
    ),
    (
        "节能改造：住院楼照明更换为 LED",
        "Energy saving: LED lighting in the inpatient building",
        "预计每年节约用电约 18 万度。",
        "Expected to save about 180,000 kWh a year.",
    ),
]
NOTICES = [
    (
        "关于门诊楼周六停水的通知",
        "Water supply interruption in the outpatient building on Saturday",
        "因管道改造，本周六 8:00–12:00 门诊楼停水，请提前做好准备。",
        "Pipe works: no water in the outpatient building on Saturday 8:00–12:00.",
    ),
    (
        "电梯年检安排",
        "Annual lift inspection schedule",
        "各楼宇电梯将于下周分批年检，检修期间请使用其他电梯。",
        "Lifts are inspected building by building next week.",
    ),
]
FAQ = [
    (
        "空调",
        "Air conditioning",
        [
            (
                "空调不制冷怎么办",
                "The air conditioning is not cooling: what now?",
                "<p>请先确认模式为制冷、温度设定低于室温；仍不制冷请在门户提交报修，注明房间号。</p>",
                "<p>Check the mode is cooling and the set point is below room temperature; otherwise report a fault with the room number.</p>",
            ),
            (
                "空调漏水如何处理",
                "The air conditioner is leaking",
                "<p>请关闭空调并放置接水容器，尽快报修。</p>",
                "<p>Switch it off, put a container under it and report it.</p>",
            ),
        ],
    ),
    (
        "报修",
        "Repairs",
        [
            (
                "如何在线报修",
                "How do I report a fault online?",
                "<p>登录门户，选择“报修”，扫描房间二维码可自动填写位置。</p>",
                "<p>Sign in, choose Report a fault; scanning the room's QR code fills in the location.</p>",
            ),
            (
                "报修后多久有人处理",
                "How soon will someone come?",
                "<p>一般报修 2 小时内响应，紧急报修 30 分钟内响应。</p>",
                "<p>Usually within 2 hours; urgent reports within 30 minutes.</p>",
            ),
        ],
    ),
    (
        "会议室",
        "Meeting rooms",
        [
            (
                "会议室预约可以提前多久",
                "How far ahead can I book a meeting room?",
                "<p>最多可提前 30 天预约。</p>",
                "<p>Up to 30 days ahead.</p>",
            ),
        ],
    ),
]


def seed(tenant) -> None:
    news = NewsIndexPage.objects.filter(slug="news").first()
    notices = NewsIndexPage.objects.filter(slug="notices").first()
    faq = FaqIndexPage.objects.first()
    if news is None or faq is None or ArticlePage.objects.exists():
        return
    today = timezone.localdate()
    for index, (title, title_en, summary, summary_en) in enumerate(NEWS):
        news.add_child(
            instance=ArticlePage(
                title=title,
                title_en=title_en,
                summary=summary,
                summary_en=summary_en,
                body=f"<p>{summary}</p>",
                body_en=f"<p>{summary_en}</p>",
                date=today - timedelta(days=3 * index + 1),
            )
        ).save_revision().publish()
    for index, (title, title_en, summary, summary_en) in enumerate(NOTICES):
        notices.add_child(
            instance=ArticlePage(
                title=title,
                title_en=title_en,
                summary=summary,
                summary_en=summary_en,
                body=f"<p>{summary}</p>",
                body_en=f"<p>{summary_en}</p>",
                date=today - timedelta(days=index),
                pinned=index == 0,
            )
        ).save_revision().publish()
    for order, (name, name_en, questions) in enumerate(FAQ):
        category = FaqCategory.objects.create(name=name, name_en=name_en, sort_order=order)
        for question, question_en, answer, answer_en in questions:
            faq.add_child(
                instance=FaqPage(
                    title=question,
                    title_en=question_en,
                    category=category,
                    answer=answer,
                    answer_en=answer_en,
                )
            ).save_revision().publish()
