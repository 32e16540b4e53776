//! The store's behaviour, checked identically on SQLite and PostgreSQL.

mod alliance_cases;
mod analysis_group_cases;
mod app_drive_cases;
mod bank_figure_cases;
mod bulletin_cases;
mod call_cases;
mod campaign_cases;
mod card_check_cases;
mod card_cleanup_cases;
mod case_import_cases;
mod case_search_cases;
mod cases;
mod cluster_operation_cases;
mod employer_notice_cases;
mod enforcement_cases;
mod fixtures;
mod fund_warning_cases;
mod guardian_cases;
mod harness;
mod joint_office_cases;
mod key_person_cases;
mod key_person_involvement_cases;
mod key_person_proposal_cases;
mod key_person_visit_cases;
mod live_engine_cases;
mod loop_cases;
mod model_site_cases;
mod mule_account_cases;
mod new_card_cases;
mod number_disposal_cases;
mod occupation_cases;
mod operator_figure_cases;
mod order_source_cases;
mod outreach_cases;
mod outreach_list_cases;
mod outreach_reach_cases;
mod protective_stop_cases;
mod quiz_cases;
mod sms_cases;
mod solved_elsewhere_cases;
mod statistics_cases;
mod supervision_cases;
mod talking_point_cases;
mod team_cases;
mod tip_cases;
mod two_card_lead_cases;
mod typical_case_cases;
mod warning_push_cases;
mod webhook_cases;

conformance! {
    migrations_are_idempotent,
    reupserting_people_changes_nothing,
    changed_fields_count_as_updates,
    missing_optional_values_never_erase_stored_ones,
    later_row_wins_within_a_batch,
    batches_larger_than_a_statement_are_counted_exactly,
    chinese_text_round_trips,
    scope_never_returns_another_subtree,
    scope_never_confuses_codes_sharing_a_prefix,
    phones_and_accounts_are_scoped_through_their_owner,
    people_outside_the_tree_are_counted_not_lost,
    paging_visits_every_row_once,
    unit_upsert_is_idempotent_and_keeps_population,
    moving_a_unit_moves_its_subtree,
    nested_moves_in_one_batch_land_each_subtree_right,
    unknown_parent_is_unit_not_found,
    subtree_respects_depth,
    audit_log_rejects_update_and_delete,
    audit_log_is_scoped_and_newest_first,
    quarantine_round_trips,
    import_writer_commits_in_steps_and_rolls_back_the_rest,
    users_carry_roles_and_bank_codes,
    registration_is_tallied_per_unit_with_the_age_band,
    registration_is_tallied_per_employer_lowest_first,
    imports_without_a_flag_column_keep_the_stored_flags,
    read_then_write_transactions_wait_for_concurrent_writers,
}

mod loop_suite {
    crate::conformance_of! {
        loop_cases:
        concurrent_appends_let_exactly_one_win,
        instructions_are_scoped_by_holder,
        due_scan_finds_breached_open_instructions,
        instruction_events_are_append_only,
        warnings_are_scoped_and_counted,
        warning_search_combines_filters,
        a_batch_commits_each_change_on_its_own_terms,
        large_batches_commit_every_change,
    }
}

mod live_engine_suite {
    crate::conformance_of! {
        live_engine_cases:
        holdings_page_through_every_number_once_in_scope,
        activated_rules_are_versioned_and_audited,
    }
}

mod mule_account_suite {
    crate::conformance_of! {
        mule_account_cases:
        mule_accounts_sum_every_case_that_paid_into_them,
        mule_accounts_are_scoped_by_the_holders_residence,
        a_case_names_the_local_holders_of_its_stop_payment_accounts,
        a_transfer_in_both_banks_extracts_is_received_once,
        pages_list_every_account_once_however_the_figures_move,
    }
}

mod key_person_involvement_suite {
    crate::conformance_of! {
        key_person_involvement_cases:
        a_key_persons_cases_show_every_role_the_latest_first,
        involvement_after_the_listing_is_counted_while_in_control,
    }
}

mod key_person_suite {
    crate::conformance_of! {
        key_person_cases:
        a_resident_is_listed_once_per_category,
        key_persons_are_scoped_by_the_residence,
        key_person_lists_filter_on_measures_in_force_and_page,
        dossier_entries_are_kept_in_order_and_a_closed_one_takes_no_more,
        figures_count_people_measures_and_the_return_rate,
        a_listing_never_reaches_a_dossier_held_by_another_unit,
        a_person_counts_once_in_the_return_rate_by_the_latest_persuasion,
        a_list_lists_residents_and_brings_their_measures_up_to_date,
    }
}

mod key_person_visit_suite {
    crate::conformance_of! {
        key_person_visit_cases:
        a_responsible_officer_is_on_the_persons_line_and_every_change_is_an_entry,
        visits_fall_due_by_cycle_and_overdue_ones_are_filtered_and_counted,
        officers_are_of_the_dossiers_unit_or_above_and_stay_behind_when_it_moves,
        concurrent_assignments_each_name_the_officer_really_before,
        visits_say_where_the_person_stands_and_the_lost_are_counted,
        returnees_are_checked_one_by_one_and_the_unchecked_counted,
    }
}

mod outreach_suite {
    crate::conformance_of! {
        outreach_cases:
        outreach_is_checked_and_recorded_inside_the_scope,
        outreach_lists_filter_page_and_stay_in_the_subtree,
        quotas_are_set_by_the_unit_above,
    }
}

mod bulletin_suite {
    crate::conformance_of! {
        bulletin_cases:
        bulletins_are_numbered_addressed_below_and_read_along_the_line,
        each_recipient_unit_signs_once_for_itself,
        industry_partners_read_and_sign_only_what_is_addressed_to_them,
    }
}

mod order_source_suite {
    crate::conformance_of! {
        order_source_cases:
        order_sources_group_the_cases_a_shop_or_an_outlet_leaked,
    }
}

mod team_suite {
    crate::conformance_of! {
        team_cases:
        a_village_team_is_its_own_members_and_its_townships,
    }
}

mod app_drive_suite {
    crate::conformance_of! {
        app_drive_cases:
        app_drives_count_what_each_promoter_brings_against_the_quota,
    }
}

mod quiz_suite {
    crate::conformance_of! {
        quiz_cases:
        quizzes_draw_from_the_bank_above_and_count_each_person_once,
    }
}

mod tip_suite {
    crate::conformance_of! {
        tip_cases:
        tips_are_checked_read_in_the_subtree_and_reviewed_once,
    }
}

mod bank_figure_suite {
    crate::conformance_of! {
        bank_figure_cases:
        bank_figures_roll_up_without_counting_twice,
    }
}

mod operator_figure_suite {
    crate::conformance_of! {
        operator_figure_cases:
        operator_figures_roll_up_without_counting_twice,
    }
}

mod key_person_proposal_suite {
    crate::conformance_of! {
        key_person_proposal_cases:
        proposals_go_up_and_come_back_in_force_onto_the_dossier,
        a_measure_entered_from_above_settles_the_proposal_reported_up,
    }
}

mod outreach_reach_suite {
    crate::conformance_of! {
        outreach_reach_cases:
        posts_are_recorded_counted_again_and_totalled_by_platform,
        victims_prior_outreach_is_recorded_and_gives_the_face_to_face_rate,
        criminal_case_counts_count_a_units_own_entry_for_its_subtree,
    }
}

mod outreach_list_suite {
    crate::conformance_of! {
        outreach_list_cases:
        lists_freeze_the_group_and_visits_register_the_app,
    }
}

mod number_disposal_suite {
    crate::conformance_of! {
        number_disposal_cases:
        disposals_are_addressed_to_the_numbers_operator_once_per_number,
        operators_answer_their_own_requests_once_at_the_version_read,
        disposal_figures_count_on_time_overdue_and_per_operator,
    }
}

mod card_check_suite {
    crate::conformance_of! {
        card_check_cases:
        applicants_are_advised_from_the_same_history_as_listed_cards,
        counters_record_their_outcome_once_and_refusals_ignored_are_counted,
    }
}

mod card_cleanup_suite {
    crate::conformance_of! {
        card_cleanup_cases:
        cleanups_are_proposed_for_flagged_holders_at_their_known_banks,
        banks_answer_their_own_cleanups_once_at_the_version_read,
        cleanup_figures_count_on_time_overdue_per_bank_and_reason,
        holders_opening_and_closing_cards_are_proposed_where_they_still_hold_one,
    }
}

mod talking_point_suite {
    crate::conformance_of! {
        talking_point_cases:
        talking_points_are_written_at_the_version_read_and_reset,
    }
}

mod two_card_lead_suite {
    crate::conformance_of! {
        two_card_lead_cases:
        leads_are_received_once_and_placed_at_the_holders_residence,
        leads_are_checked_once_inside_the_area_and_counted,
        roaming_leads_keep_their_place_and_take_the_results_of_their_kind,
    }
}

mod solved_elsewhere_suite {
    crate::conformance_of! {
        solved_elsewhere_cases:
        cases_solved_elsewhere_are_kept_once_and_counted_by_area,
    }
}

mod fund_warning_suite {
    crate::conformance_of! {
        fund_warning_cases:
        fund_warnings_keep_their_payment_and_wait_for_a_stop,
    }
}

mod warning_push_suite {
    crate::conformance_of! {
        warning_push_cases:
        pushes_are_kept_once_per_platform_and_push_id,
        imports_and_feedback_are_read_inside_the_scope,
    }
}

mod analysis_group_suite {
    crate::conformance_of! {
        analysis_group_cases:
        groups_are_set_up_inside_the_scope_with_each_type_in_one_active_group,
        groups_change_at_the_version_read_and_deactivation_frees_their_types,
        figures_count_the_groups_types_in_its_subtree_and_the_period,
    }
}

mod supervision_suite {
    crate::conformance_of! {
        supervision_cases:
        measures_are_issued_inside_the_issuers_subtree_and_read_by_the_targets_area,
        a_measure_is_replied_extended_twice_at_most_and_closed_by_the_issuers_side,
        supervision_figures_count_states_measures_overdue_and_the_period,
        only_the_targets_side_reports_and_the_issuers_side_returns_a_report,
    }
}

mod employer_notice_suite {
    crate::conformance_of! {
        employer_notice_cases:
        notices_are_issued_once_numbered_per_year_inside_the_scope,
        receipts_are_recorded_against_the_version_and_within_time,
        the_register_figures_and_employer_table_count_the_scope,
        staff_of_alliance_members_are_notified_too,
    }
}

mod typical_case_suite {
    crate::conformance_of! {
        typical_case_cases:
        typical_cases_are_marked_edited_and_unmarked_inside_the_scope,
        typical_cases_are_listed_by_report_period_and_type,
    }
}

mod campaign_suite {
    crate::conformance_of! {
        campaign_cases:
        campaigns_are_recorded_per_unit_and_listed_by_area,
    }
}

mod alliance_suite {
    crate::conformance_of! {
        alliance_cases:
        members_join_change_leave_and_are_counted_by_name,
    }
}

mod joint_office_suite {
    crate::conformance_of! {
        joint_office_cases:
        members_sign_meet_are_checked_and_carry_out_their_tasks,
        open_tasks_past_their_deadline_are_reminded_once_per_deadline,
        an_open_task_is_pressed_with_what_the_office_asks,
    }
}

mod model_site_suite {
    crate::conformance_of! {
        model_site_cases:
        titles_are_awarded_below_the_area_once_and_revoked_with_why,
    }
}

mod cluster_operation_suite {
    crate::conformance_of! {
        cluster_operation_cases:
        targets_land_on_their_units_and_catches_count_as_suspects,
    }
}

mod new_card_suite {
    crate::conformance_of! {
        new_card_cases:
        cards_are_screened_once_and_placed_at_the_holders_residence,
        the_holders_history_raises_the_screening,
        cards_are_reviewed_once_and_counted_per_bank,
        lists_screened_at_once_see_each_others_cards,
        phone_cards_are_screened_for_many_numbers_and_counted_per_operator,
        cards_opened_and_closed_again_and_again_are_flagged,
    }
}

mod protective_stop_suite {
    crate::conformance_of! {
        protective_stop_cases:
        protective_stops_are_read_by_the_area_and_the_addressed_bank,
        a_case_takes_the_protective_stops_of_its_persons_warnings,
    }
}

mod guardian_suite {
    crate::conformance_of! {
        guardian_cases:
        a_guardian_list_is_idempotent_per_resident_and_phone,
        guardians_are_saved_listed_and_removed_inside_the_area,
        the_sign_up_column_is_imported_and_counted_per_unit,
    }
}

mod occupation_suite {
    crate::conformance_of! {
        occupation_cases:
        every_occupation_is_stored_searched_and_the_unknown_found,
        cases_are_counted_by_occupation_inside_the_scope_and_period,
    }
}

mod webhook_suite {
    crate::conformance_of! {
        webhook_cases:
        webhooks_are_validated_and_listed,
        failed_deliveries_back_off_then_land_in_dead_letters,
        due_deliveries_are_ordered_limited_and_skip_inactive,
    }
}

mod sms_suite {
    crate::conformance_of! {
        sms_cases:
        sms_messages_are_submitted_then_settled_by_receipt,
        failed_submissions_back_off_then_die,
        guardians_are_scoped_through_their_resident,
        joint_task_messages_are_read_by_their_task,
    }
}

mod call_suite {
    crate::conformance_of! {
        call_cases:
        call_tasks_are_created_once_per_open_instruction_and_number,
        claims_take_the_most_urgent_then_oldest_and_leases_expire,
        concurrent_claims_never_share_a_task,
        results_finish_or_requeue_and_only_the_holder_records_them,
        cancelling_an_instruction_cancels_only_its_open_tasks,
        a_settling_change_cancels_its_open_calls_only_if_it_commits,
        a_settling_change_cancels_its_open_calls_when_committed_alone,
        call_tasks_are_scoped_by_the_residence_unit,
        call_figures_count_every_attempt_per_seat_and_scope,
    }
}

mod case_import_suite {
    crate::conformance_of! {
        case_import_cases:
        a_report_number_opens_one_case,
        cases_link_their_victims_warnings_once,
        claims_on_an_account_come_from_every_case_and_hide_other_units_victims,
        cases_are_tallied_by_unit_type_and_period,
        fund_figures_sum_requests_by_what_became_of_them,
    }
}

mod case_search_suite {
    crate::conformance_of! {
        case_search_cases:
        case_search_combines_filters,
        case_search_finds_a_case_by_number,
        case_search_is_scoped_and_pages,
        linked_cases_name_what_they_share,
        linked_cases_stay_inside_the_scope,
    }
}

mod statistics_suite {
    crate::conformance_of! {
        statistics_cases:
        loop_tally_counts_per_line_with_channels_and_medians,
        warnings_by_type_and_the_monthly_trend_count_known_rows,
    }
}

mod enforcement_suite {
    crate::conformance_of! {
        enforcement_cases:
        status_and_recovered_money_are_checked_scoped_and_audited,
        suspects_are_validated_scoped_and_audited_masked,
        the_register_is_checked_scoped_filtered_and_paged,
        figures_count_solved_cases_measures_money_and_gangs_per_period,
        figures_count_people_once_and_a_later_measure_keeps_the_earlier_period,
        charges_and_prosecutions_are_recorded_and_counted_per_period,
        the_same_person_is_added_to_a_case_once,
        a_change_from_a_stale_version_is_refused,
        supervised_cases_are_set_searched_and_counted,
        wanted_suspects_count_as_fugitives_caught_or_at_large,
    }
}
